"""Schedule and cost risk: uncertain estimates, risk events and Monte Carlo simulation."""

from pilotage.engine.risk.distributions import (
    Discrete,
    Distribution,
    LogNormal,
    Pert,
    Triangular,
    Uniform,
)
from pilotage.engine.risk.monte_carlo import RiskEvent, SimulationResult, simulate_schedule

__all__ = [
    "Discrete",
    "Distribution",
    "LogNormal",
    "Pert",
    "RiskEvent",
    "SimulationResult",
    "Triangular",
    "Uniform",
    "simulate_schedule",
]
