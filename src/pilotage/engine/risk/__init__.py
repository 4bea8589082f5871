"""Schedule and cost risk: uncertain estimates, risk events and Monte Carlo simulation."""

from pilotage.engine.risk.distributions import (
    Discrete,
    Distribution,
    LogNormal,
    Pert,
    Triangular,
    Uniform,
    scaled,
)
from pilotage.engine.risk.monte_carlo import (
    RiskEvent,
    SimulationMethod,
    SimulationResult,
    simulate_schedule,
)
from pilotage.engine.risk.plan_simulation import (
    PlanEstimate,
    PlanRiskEvent,
    PlanSimulation,
    simulate_plan,
)

__all__ = [
    "Discrete",
    "Distribution",
    "LogNormal",
    "Pert",
    "PlanEstimate",
    "PlanRiskEvent",
    "PlanSimulation",
    "RiskEvent",
    "SimulationMethod",
    "SimulationResult",
    "Triangular",
    "Uniform",
    "scaled",
    "simulate_plan",
    "simulate_schedule",
]
