"""Give the demo projects realistic plans, built through the planning services.

Each kind of project has a template: phases (summary tasks) holding tasks and milestones, with
links written against keys (``"build SS+5d"``). A template is drawn at the scale of the
project's dates, entered row by row as a planner would (predecessors typed with each task),
baselined, then progressed up to ``today``: tasks planned before today are done, tasks spanning
today partly done, and a few tasks overrun or fall behind so that the plan slips against its
baseline as much as the project's RAG status says. Randomness comes from a generator seeded
with the demo seed and the project code, so a seed always gives the same plans.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, Protocol, TypeVar

from pilotage.accounts.models import User
from pilotage.accounts.permissions import Action, can
from pilotage.planning import selectors as planning_selectors
from pilotage.planning import services as planning_services
from pilotage.planning.models import Task, WorkCalendar
from pilotage.planning.parsing import Quantity, parse_quantity
from pilotage.portfolio.models import HealthRag, Project, ProjectPhase, ProjectStatus

CALENDAR_NAME = "Standard (France)"
CALENDAR_COUNTRY = "FR"
BASELINE_NAME = "Baseline"
DAY_START = dt.time(8, 0)
DAY_END = dt.time(17, 0)
MINUTES_PER_DAY = 480
# A cancelled project was planned longer than it ran: its plan stops part-way.
CANCELLED_STRETCH = 2.0
# Public holidays and the year-end closure take about 6% of the weekdays.
WORKING_SHARE = 0.94

Progress = Callable[[int], None]


class ProjectLike(Protocol):
    """What choosing a template needs: the builder's planned projects and Project rows both
    have it."""

    code: str
    name: str
    phase: str
    status: str


P = TypeVar("P", bound=ProjectLike)


# Templates ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A task or milestone of a template.

    ``after`` lists predecessors by key, ``;``-separated, each with an optional link type and
    lag (``"design"``, ``"build SS+5d"``, ``"tests FF+2d"``); None means the row above, "" none.
    ``snet_days`` and ``fnlt_days`` put a constraint that many calendar days after the
    predecessors finish (after the task's own duration for FNLT); ``deadline`` puts a deadline
    a little after the planned date. ``risk`` marks where the trouble shows when the project
    is amber or red.
    """

    name: str
    duration: str = "5d"
    after: str | None = None
    key: str = ""
    snet_days: int = 0
    fnlt_days: int = 0
    deadline: bool = False
    risk: bool = False
    notes: str = ""


@dataclass(frozen=True)
class Phase:
    """A summary task: its steps and sub-phases, closed by a gate milestone that follows every
    step of the phase left without a successor."""

    name: str
    children: tuple[Step | Phase, ...]
    gate: Step | None = None


Template = tuple[Phase, ...]


def task(name: str, duration: str = "5d", after: str | None = None, **options: Any) -> Step:
    return Step(name, duration, after, **options)


def milestone(name: str, after: str | None = None, **options: Any) -> Step:
    return Step(name, "0", after, **options)


def phase(name: str, *children: Step | Phase, gate: Step | None = None) -> Phase:
    return Phase(name, children, gate)


def _kickoff() -> Step:
    return milestone("Kick-off", after="", key="kickoff")


def _closed(after: str | None = None) -> Step:
    return milestone("Project closed", after=after)


def _crm() -> Template:
    loads = [
        task(
            f"Rehearsal load {n}",
            "5d",
            after="cleanse SS+10d" if n == 1 else f"load{n - 1} +10d",
            key=f"load{n}",
            risk=True,
        )
        for n in range(1, 6)
    ]
    return (
        phase(
            "Mobilisation",
            _kickoff(),
            task("Confirm scope and licences", "5d", key="scope"),
            task("Onboard the integrator", "10d", after="kickoff"),
            task("Set up the sandboxes", "5d", after="scope"),
            gate=milestone("Mobilisation complete"),
        ),
        phase(
            "Design",
            task("Sales process workshops", "15d", key="sales"),
            task("Service process workshops", "15d", after="sales SS+5d"),
            task("Account hierarchy and data model", "10d", after="sales FF+5d", key="model"),
            task("Integration design: ERP and web shops", "10d", after="sales"),
            task("Data migration strategy", "8d", after="model"),
            gate=milestone("Design signed off", key="design"),
        ),
        phase(
            "Build",
            task("Configure pipeline, quotes and forecasts", "20d", key="config"),
            task("Configure service cases and SLAs", "15d", after="config SS+10d"),
            task("Build the ERP integration", "25d", after="config SS"),
            task("Build the web shop integration", "15d", after="config SS+10d"),
            task("Reports and dashboards", "10d", after="config"),
            gate=milestone("Build complete", key="built"),
        ),
        phase(
            "Data migration",
            task(
                "Cleanse duplicate accounts",
                "20d",
                after="design",
                key="cleanse",
                risk=True,
                notes="Far more duplicates than the 8% estimated in the design.",
            ),
            milestone("Account data model final", after="cleanse", key="accounts"),
            *loads,
            task("Reconcile twelve years of account history", "10d", after="load5"),
            gate=milestone("Migrated data signed off", key="data"),
        ),
        phase(
            "Test and training",
            task("System integration test", "15d", after="built", key="sit"),
            task("User acceptance test", "15d", after="sit; load3", key="uat"),
            task("Train the trainers", "5d", after="uat SS+5d", key="trainers"),
            task("Train 450 sales and service users", "15d", after="trainers"),
            task("Cutover rehearsal", "3d", after="uat; data"),
            gate=milestone("Go/no-go decision"),
        ),
        phase(
            "Deployment",
            milestone("Go-live France", key="golive", deadline=True),
            milestone("Go-live Benelux and Iberia", after="golive +10d", key="golive2"),
            task("Hypercare", "20d", after="golive", key="hypercare"),
            task("Decommission the old CRM", "10d", after="hypercare; golive2"),
            gate=_closed(),
        ),
    )


def _ecommerce() -> Template:
    return (
        phase(
            "Discovery",
            _kickoff(),
            task("Customer journey workshops", "10d", key="journeys"),
            task("Target architecture (composable commerce)", "10d", after="journeys SS+5d"),
            task("Select the search and payment services", "10d", after="journeys"),
            gate=milestone("Scope frozen", key="scope"),
        ),
        phase(
            "Platform build",
            task("Sprint 1: catalogue and search", "10d", key="s1"),
            task("Sprint 2: cart, checkout and payment", "10d", key="s2"),
            task("Sprint 3: customer accounts and order history", "10d", key="s3"),
            task("Sprint 4: quotes and reorders", "10d"),
            task("ERP order and stock integration", "30d", after="s1 SS+5d", risk=True),
            task("Migrate product content (18,000 items)", "20d", after="s2 SS"),
            gate=milestone("Platform feature complete", key="built"),
        ),
        phase(
            "Punch-out catalogues",
            task("Punch-out standard (cXML and OCI)", "5d", after="scope", key="standard"),
            task("Onboard five pilot customers", "15d", after="standard; s3 SS", key="pilot"),
            task("Onboard the other 35 customers", "30d", after="pilot", key="others"),
            task("Customer punch-out tests", "10d", after="others FF+5d"),
            gate=milestone("Punch-out customers live", key="punchout"),
        ),
        phase(
            "Launch",
            task("Performance and security tests", "8d", after="built", key="perf"),
            task("User acceptance with the sales teams", "10d", after="built", key="uat"),
            task("SEO redirects and content freeze", "3d", after="perf", key="seo"),
            milestone("Go-live", after="uat; seo", key="golive", deadline=True),
            task("Hypercare", "15d", after="golive", key="hypercare"),
            task("Switch off the old web shop", "5d", after="golive +10d"),
            gate=_closed(),
        ),
    )


def _portal() -> Template:
    return (
        phase(
            "Discovery",
            _kickoff(),
            task("Interview 20 trade customers", "10d", key="interviews"),
            task("Map the order, invoice and returns journeys", "8d", after="interviews SS+5d"),
            task("Security and performance requirements", "5d", after="kickoff"),
            gate=milestone("Discovery complete"),
        ),
        phase(
            "Design",
            task(
                "Design the account and order screens",
                "15d",
                key="screens",
                risk=True,
                notes="Needs the final CRM account data model.",
            ),
            task("Invoice and credit note access rules", "5d", after="screens SS+5d"),
            task("Returns authorisation workflow", "8d", after="screens SS+5d"),
            task("API contracts with the CRM and the ERP", "10d", after="screens FF+3d"),
            gate=milestone("Design approved"),
        ),
        phase(
            "Build",
            task("Sprint 1: sign-in and order tracking", "10d", key="s1"),
            task("Sprint 2: invoices and statements", "10d"),
            task("Sprint 3: returns", "10d"),
            task("Integrate with the CRM and the ERP", "25d", after="s1 SS+5d"),
            gate=milestone("Portal feature complete", key="built"),
        ),
        phase(
            "Pilot and launch",
            task("Penetration test", "5d", key="pentest"),
            task("Pilot with ten customers", "20d", after="built", key="pilot"),
            task("Customer communication campaign", "10d", after="pilot FF"),
            milestone(
                "Open to all trade customers", after="pilot; pentest", key="golive", deadline=True
            ),
            task("Hypercare", "10d"),
            gate=_closed(),
        ),
    )


def _contact_centre() -> Template:
    sites: list[Step] = []
    for number, (site, agents) in enumerate((("Lyon", 120), ("Porto", 80)), 1):
        first = "ready" if number == 1 else "live1 +5d"
        sites += [
            task(f"Train the {agents} {site} agents", "5d", after=first, key=f"train{number}"),
            task(f"Port the {site} numbers", "10ed", after=first, key=f"port{number}"),
            milestone(f"{site} live", after=f"train{number}; port{number}", key=f"live{number}"),
        ]
    return (
        phase(
            "Design",
            _kickoff(),
            task("Call flows and IVR design", "10d", key="flows"),
            task("Number porting plan", "5d", after="kickoff"),
            task("CRM screen-pop design", "5d", after="flows SS+5d"),
            gate=milestone("Design signed off"),
        ),
        phase(
            "Build and test",
            task("Configure queues, skills and IVR", "15d", key="config"),
            task("Call recording and retention rules", "5d", after="config SS+5d"),
            task("CRM connector", "10d", after="config SS"),
            task("End-to-end tests", "10d", after="config"),
            gate=milestone("Ready for cutover", key="ready"),
        ),
        phase("Cutover", *sites, gate=milestone("Both sites live")),
        phase(
            "Closure",
            task("Hypercare", "10d"),
            task("Terminate the on-premise PBX contract", "5d"),
            task("Lessons learned", "2d"),
            gate=_closed(),
        ),
    )


def _web_localisation() -> Template:
    return (
        phase(
            "Preparation",
            _kickoff(),
            task("UK pricing and promotions policy", "10d", key="pricing"),
            task("UK VAT and customs duty rules", "8d", after="kickoff"),
            task("Select UK carriers", "15d", after="kickoff", key="carriers"),
            gate=milestone("Scope approved"),
        ),
        phase(
            "Localisation",
            task("Sterling price lists", "8d", key="gbp"),
            task("Adapt product content for the UK", "20d", after="gbp SS"),
            task("Integrate the two UK carriers", "15d", key="carrier_api", risk=True),
            task("UK payment methods", "5d", after="gbp SS+3d"),
            task("Returns to the UK warehouse", "8d", after="carrier_api SS+5d"),
            gate=milestone("Localisation complete"),
        ),
        phase(
            "Launch",
            task("End-to-end order tests", "8d"),
            task("Soft launch to existing customers", "10d"),
            milestone("Public launch", key="golive", deadline=True),
            task(
                "Marketing campaign",
                "20d",
                after="golive SS-5d",
                notes="Starts a week before the launch.",
            ),
            task("Hypercare", "10d", after="golive"),
            gate=_closed(),
        ),
    )


def _landing_zone() -> Template:
    return (
        phase(
            "Design",
            _kickoff(),
            task("Account and subscription structure", "5d", key="accounts"),
            task("Network topology and connectivity", "8d", after="accounts SS+2d"),
            task("Identity federation design", "5d", after="accounts SS+2d"),
            task("Security and tagging policies", "5d", after="accounts"),
            gate=milestone("Design approved"),
        ),
        phase(
            "Build",
            task("Infrastructure-as-code pipeline", "10d", key="iac"),
            task("Hub network and VPN", "8d", after="iac SS+5d"),
            task("Policies and guardrails", "8d", after="iac SS+5d"),
            task("Cost management and budgets", "5d", after="iac"),
            task("Logging and monitoring", "8d", after="iac"),
            gate=milestone("Landing zone built"),
        ),
        phase(
            "Validation and handover",
            task("Security review and penetration test", "8d", key="review"),
            task("Migrate the first pilot workload", "10d", after="review SS"),
            task("Operations runbooks and training", "5d", after="review"),
            gate=milestone("Handed over to cloud operations"),
        ),
    )


def _data_centre_exit() -> Template:
    waves: list[Step] = []
    scopes = (
        ("non-production", 90),
        ("file, print and infrastructure", 70),
        ("business applications", 110),
        ("ERP and databases", 60),
        ("appliances and stragglers", 50),
    )
    for number, (scope, servers) in enumerate(scopes, 1):
        waves.append(
            task(
                f"Wave {number}: {scope} ({servers} servers)",
                "20d" if servers > 80 else "15d",
                after="planned" if number == 1 else f"wave{number - 1} SS+10d",
                key=f"wave{number}",
                risk=number == 4,
            )
        )
    return (
        phase(
            "Assessment",
            _kickoff(),
            task("Discover application dependencies", "20d", key="discover"),
            task("Rehost, replatform or retire: decide per server", "10d", after="discover SS+10d"),
            task("Wave plan and cutover windows", "5d"),
            gate=milestone("Wave plan approved", key="planned"),
        ),
        phase(
            "Migration waves",
            *waves,
            gate=milestone("All servers migrated", key="migrated", deadline=True),
        ),
        phase(
            "Exit",
            task("Decommission servers and wipe disks", "15d", key="wipe"),
            task("Remove racks and cabling", "5d", after="wipe", key="racks"),
            task("Certificates of destruction for the disks", "5ed", after="wipe", key="certs"),
            milestone(
                "Data centre handed back",
                after="racks; certs",
                fnlt_days=15,
                notes="The hosting contract ends then: there is no extension.",
            ),
            gate=_closed(),
        ),
    )


def _data_platform() -> Template:
    warehouses: list[Phase] = []
    previous = "foundations"
    for number, name in enumerate(("Finance", "Sales", "Supply chain"), 1):
        warehouses.append(
            phase(
                f"Migrate the {name} warehouse",
                task("Inventory reports and data sets", "10d", after=previous),
                task("Rebuild the pipelines", "30d", key=f"pipes{number}", risk=number == 2),
                task("Reconcile figures with the old warehouse", "10d"),
                task("Migrate reports and dashboards", "15d", after=f"pipes{number} SS+10d"),
                gate=milestone(
                    "Lakehouse in production with finance data"
                    if number == 1
                    else f"{name} warehouse switched off",
                    key="production" if number == 1 else "",
                ),
            )
        )
        previous = f"pipes{number} SS+15d"
    return (
        phase(
            "Foundations",
            _kickoff(),
            task("Lakehouse architecture and standards", "10d", key="architecture"),
            task("Provision the platform as code", "15d", after="architecture SS+5d", key="infra"),
            task("Data catalogue and access model", "10d", after="architecture"),
            task("Ingestion framework", "15d", after="infra SS+5d"),
            gate=milestone("Platform foundations ready", key="foundations"),
        ),
        *warehouses,
        phase(
            "Governance and closure",
            task("Train the data stewards", "10d"),
            task("Decommission the three old warehouses", "15d"),
            task("Retire the old reporting licences", "5d"),
            gate=_closed(),
        ),
    )


def _master_data() -> Template:
    return (
        phase(
            "Mobilisation",
            _kickoff(),
            task("Data governance charter", "5d"),
            task("Appoint data owners and stewards", "10d"),
            task("Select the MDM platform", "20d", after="kickoff"),
            gate=milestone("Mobilisation complete"),
        ),
        phase(
            "Design",
            task("Customer golden record rules", "15d", key="rules"),
            task("Product data model and hierarchies", "15d", after="rules SS+5d"),
            task("Match and merge rules", "10d", after="rules"),
            task("Data stewardship workflows", "10d", after="rules SS+5d"),
            gate=milestone("Design approved"),
        ),
        phase(
            "Build",
            task("Configure the MDM hub", "20d", key="hub"),
            task("Integrate with the CRM", "15d", after="hub SS+10d"),
            task("Integrate with the ERP", "20d", after="hub SS+10d", risk=True),
            task("Integrate with the web shops", "10d", after="hub"),
            task("Publish golden records to the lakehouse", "10d", after="hub", key="publish"),
            gate=milestone("Build complete"),
        ),
        phase(
            "Deployment",
            task("Initial load and deduplication", "15d"),
            task("User acceptance test", "10d", key="uat"),
            task("Train 25 data stewards", "5d", after="uat SS"),
            milestone("Go-live", after="uat", key="golive", deadline=True),
            task("Hypercare", "15d", after="golive"),
            gate=_closed(),
        ),
    )


def _forecasting() -> Template:
    return (
        phase(
            "Initiation",
            _kickoff(),
            task("Project charter", "5d"),
            task("Data availability assessment", "10d", after="kickoff"),
            task("Business case", "8d"),
            gate=milestone("Go decision for the pilot"),
        ),
        phase(
            "Benelux pilot",
            task("Prepare three years of sales history", "15d"),
            task("Train and compare forecast models", "20d", risk=True),
            task("Accuracy review with the demand planners", "5d"),
            task("Feed the forecasts into the S&OP cycle", "10d"),
            gate=milestone("Pilot results presented"),
        ),
        phase(
            "Scale-up",
            task("Roll out to all markets", "30d", key="rollout"),
            task("Monitoring and retraining pipeline", "15d", after="rollout SS+10d"),
            task("Hand over to the demand planning team", "5d", after="rollout"),
            gate=_closed(),
        ),
    )


def _workplace() -> Template:
    waves: list[Step] = []
    groups = (
        "head office (900 users)",
        "Lille and Milan plants (1,100 users)",
        "distribution centres (700 users)",
        "subsidiaries (500 users)",
    )
    for number, group in enumerate(groups, 1):
        waves.append(
            task(
                f"Migrate the {group}",
                "10d",
                after="pilot" if number == 1 else f"wave{number - 1} SS+5d",
                key=f"wave{number}",
            )
        )
    return (
        phase(
            "Preparation",
            _kickoff(),
            task("Tenant configuration and security baseline", "10d"),
            task("Identity synchronisation", "5d"),
            task("Pilot with IT (80 users)", "10d"),
            gate=milestone("Pilot complete", key="pilot"),
        ),
        phase("Mailbox migration", *waves, gate=milestone("Mailboxes migrated")),
        phase(
            "Files and telephony",
            task("Move the file shares to SharePoint", "25d", after="pilot"),
            task("Teams telephony and number porting", "15d", after="wave2"),
            task("Switch off the Exchange servers", "5d"),
            gate=_closed(),
        ),
    )


def _network() -> Template:
    regions = (
        ("France", 18),
        ("Benelux and Germany", 12),
        ("Italy and Switzerland", 9),
        ("United Kingdom and United States", 7),
    )
    rollout: list[Step] = [
        milestone("Equipment delivered", after="accepted", snet_days=30, key="equipment")
    ]
    for number, (region, sites) in enumerate(regions, 1):
        rollout.append(
            task(
                f"Install {region} ({sites} sites)",
                "20d",
                after="equipment" if number == 1 else f"region{number - 1} SS+10d",
                key=f"region{number}",
            )
        )
    return (
        phase(
            "Design",
            _kickoff(),
            task("Site survey and bandwidth needs", "15d"),
            task("Select the SD-WAN provider", "20d", after="kickoff"),
            task("Security design with local internet breakout", "10d"),
            gate=milestone("Design approved"),
        ),
        phase(
            "Pilot",
            task("Pilot at the Lille plant", "10d", key="pilot"),
            task("Pilot at the Lyon distribution centre", "10d", after="pilot SS+5d"),
            task("Pilot review with the site managers", "2d"),
            gate=milestone("Pilot accepted", key="accepted"),
        ),
        phase(
            "Rollout",
            *rollout,
            task("Terminate the MPLS contracts", "10d", after="region4"),
            gate=_closed(),
        ),
    )


def _warehouse() -> Template:
    return (
        phase(
            "Engineering",
            _kickoff(),
            task("Detailed layout and throughput simulation", "15d", key="layout"),
            task(
                "Building permit for the mezzanine",
                "40ed",
                after="layout",
                key="permit",
                notes="Statutory review period of the planning office.",
            ),
            task("Order the shuttle system", "5d", after="layout", key="order"),
            task("WMS functional design", "20d", after="kickoff", key="wms_design"),
            gate=milestone("Engineering complete", key="engineering"),
        ),
        phase(
            "Building works",
            task("Clear the zone and relocate stock", "10d", after="engineering"),
            task("Reinforce the floor slab", "10d", key="slab"),
            task("Concrete curing", "7ed", key="curing"),
            task("Sprinklers and electrical supply", "15d", after="slab SS+5d"),
            task("Build the mezzanine", "15d", after="curing; permit"),
            gate=milestone("Building ready for installation", key="building"),
        ),
        phase(
            "Shuttle system installation",
            milestone(
                "Racking and shuttles delivered",
                after="order",
                snet_days=100,
                key="delivered",
                notes="Delivery week confirmed by the supplier.",
            ),
            task("Install the racking", "20d", after="delivered; building", key="racking"),
            task("Install shuttles and lifts", "15d", after="racking SS+10d", key="shuttles"),
            task("Install conveyors and workstations", "15d", after="racking SS+5d"),
            task("Mechanical and electrical commissioning", "10d", after="shuttles FF+5d"),
            gate=milestone("Installation complete", key="installed"),
        ),
        phase(
            "Warehouse management system",
            task("Configure the WMS", "25d", after="wms_design", key="wms"),
            task("Interfaces with the ERP and the TMS", "20d", after="wms SS+10d"),
            task(
                "Integrate the WMS with the shuttle controls",
                "15d",
                after="installed SS; wms",
                risk=True,
            ),
            task("Integrated tests", "15d"),
            gate=milestone("System accepted", key="accepted"),
        ),
        phase(
            "Go-live and ramp-up",
            task("Train operators and team leaders", "10d", after="accepted SS", key="train"),
            task("Transfer the stock into the shuttle system", "4ed", after="accepted", key="move"),
            milestone("Go-live", after="train; move", key="golive", deadline=True),
            task("Ramp up to 55,000 lines a day", "30d", key="rampup", risk=True),
            task("Site acceptance test", "5d", after="rampup FF"),
            gate=_closed(),
        ),
    )


def _transport() -> Template:
    return (
        phase(
            "Design",
            _kickoff(),
            task("Transport planning processes", "8d", key="processes"),
            task("Carrier master data and rates", "5d", after="processes SS+3d"),
            task("Freight audit rules", "5d"),
            gate=milestone("Design signed off"),
        ),
        phase(
            "Build",
            task("Configure planning and load building", "15d", key="config"),
            task("EDI with the carriers", "15d", after="config SS+5d", risk=True),
            task("Interfaces with the ERP and the WMS", "10d", after="config SS+5d"),
            task("Freight audit workflow", "8d", after="config"),
            gate=milestone("Build complete", key="built"),
        ),
        phase(
            "Carrier tender",
            task("Tender the 120 outbound lanes", "20d", after="kickoff"),
            task("Award the contracts", "5d"),
            task("Onboard the carriers", "10d"),
            gate=milestone("Carriers onboarded", key="carriers"),
        ),
        phase(
            "Deployment",
            task("User acceptance test", "10d", after="built; carriers"),
            task("Train 30 transport planners", "5d"),
            milestone("Go-live France", key="golive", deadline=True),
            milestone("Go-live Benelux", after="golive +10d"),
            task("Hypercare", "10d", after="golive"),
            gate=_closed(),
        ),
    )


def _sales_and_operations() -> Template:
    cycles: list[Step] = []
    for number in range(1, 4):
        cycles += [
            task(
                f"Cycle {number}: demand review",
                "5d",
                after="process" if number == 1 else f"review{number - 1} +10d",
                key=f"demand{number}",
            ),
            task(f"Cycle {number}: supply review", "5d"),
            milestone(f"Cycle {number}: executive review", key=f"review{number}"),
        ]
    return (
        phase(
            "Design",
            _kickoff(),
            task("Assess the current planning maturity", "10d", key="assess"),
            task("Design the monthly cycle and calendar", "10d"),
            task("KPIs: forecast accuracy and service level", "5d", after="assess SS+5d"),
            task("Planning tool requirements", "10d"),
            gate=milestone("Process approved", key="process"),
        ),
        phase("Pilot cycles", *cycles, gate=milestone("Pilot complete")),
        phase(
            "Embed",
            task("Train planners and sales managers", "10d"),
            task("Hand over to the S&OP lead", "5d"),
            task("Review the process after three cycles", "3d"),
            gate=_closed(),
        ),
    )


def _supplier_portal() -> Template:
    return (
        phase(
            "Initiation",
            _kickoff(),
            task("Supplier survey", "15d", risk=True),
            task("Business case", "10d"),
            task("Market scan of supplier portals", "15d", after="kickoff"),
            gate=milestone("Investment decision"),
        ),
        phase(
            "Selection",
            task("Request for proposal", "20d"),
            task("Vendor demonstrations", "10d"),
            task("Contract negotiation", "15d"),
            gate=milestone("Vendor selected"),
        ),
        phase(
            "Pilot and rollout",
            task("Configure order confirmations and shipping notices", "20d", key="config"),
            task("Onboard 30 pilot suppliers", "20d", after="config SS+10d", key="pilot"),
            task("Quality certificate workflow", "10d", after="config"),
            task("Onboard the other 570 suppliers", "60d", after="pilot", key="onboard"),
            task("E-mail fallback for small suppliers", "15d", after="onboard SS"),
            gate=_closed(),
        ),
    )


def _rfid() -> Template:
    return (
        phase(
            "Pilot preparation",
            _kickoff(),
            task("Select tags and readers", "10d", key="select"),
            task("Tag 2,000 pilot containers", "10d"),
            task("Install readers at the Lyon dock doors", "8d", after="select SS+5d"),
            gate=milestone("Pilot ready"),
        ),
        phase(
            "Pilot",
            task("Run the pilot in Lyon", "30d", key="run", risk=True),
            task("Move the readers away from the metal racks", "5d", after="run SS+10d"),
            task("Measure read rates", "10d", after="run FF"),
            gate=milestone("Go/no-go for the rollout"),
        ),
        phase(
            "Rollout",
            task("Tag 38,000 containers", "40d", key="tags"),
            task("Readers at every site", "30d", after="tags SS+10d"),
            task("Integrate with the WMS", "20d"),
            gate=_closed(),
        ),
    )


def _manufacturing_execution() -> Template:
    lines: list[Step] = []
    for number in range(1, 5):
        lines += [
            task(
                f"Line {number}: terminals and dry run with the operators",
                "5d",
                after="core" if number == 1 else f"line{number - 1} +5d",
                risk=number == 1,
            ),
            milestone(f"Line {number} live", key=f"line{number}"),
        ]
    return (
        phase(
            "Design",
            _kickoff(),
            task("Shop-floor process mapping", "8d", key="mapping"),
            task("Electronic batch record design", "8d", after="mapping SS+3d"),
            task("OEE data model and machine connectivity", "5d", after="kickoff"),
            gate=milestone("Design approved"),
        ),
        phase(
            "Core build",
            task("Configure the MES", "15d", key="config"),
            task("Connect the line 1 PLCs", "8d", after="config SS+5d", risk=True),
            task("Interface with the ERP", "10d", after="config SS"),
            task("Validation plan", "5d"),
            gate=milestone("Core ready", key="core"),
        ),
        phase("Line rollouts", *lines, gate=milestone("All four lines live", deadline=True)),
        phase(
            "Closure",
            task("Retire the paper batch records", "5d"),
            task("OEE baseline report", "5d"),
            task("Hand over to the plant support team", "3d"),
            gate=_closed(),
        ),
    )


def _predictive_maintenance() -> Template:
    return (
        phase(
            "Preparation",
            _kickoff(),
            task("Criticality analysis of the assets", "10d"),
            task("Select sensors and gateways", "15d"),
            task("Connection to the data platform", "5d"),
            gate=milestone("Design approved"),
        ),
        phase(
            "Packaging lines pilot",
            task("Fit sensors on 30 packaging assets", "10d"),
            task("Collect three months of readings", "90ed", key="readings"),
            task("Train the failure models", "15d", after="readings SS+45ed"),
            task("Alerts in the maintenance system", "10d"),
            gate=milestone("Pilot results"),
        ),
        phase(
            "Rollout",
            task("Fit sensors on the other 90 assets", "25d"),
            task("Update the maintenance plans", "10d"),
            task("Train the maintenance technicians", "5d"),
            gate=_closed(),
        ),
    )


def _lean() -> Template:
    areas: list[Step] = []
    for number, area in enumerate(("mixing", "filling", "packaging", "warehouse"), 1):
        areas.append(
            task(
                f"5S and kaizen: {area}",
                "15d",
                after="roadmap" if number == 1 else f"area{number - 1} SS+10d",
                key=f"area{number}",
            )
        )
    return (
        phase(
            "Diagnostic",
            _kickoff(),
            task("Value stream mapping", "10d", key="vsm"),
            task("Baseline productivity", "5d", after="vsm SS"),
            task("Lean training for the managers", "5d"),
            gate=milestone("Roadmap approved", key="roadmap"),
        ),
        phase("Kaizen waves", *areas, gate=milestone("All areas done")),
        phase(
            "Sustain",
            task("Daily management boards", "10d"),
            task("Audit the 5S standards", "5d"),
            task("Productivity review", "5d"),
            gate=_closed(),
        ),
    )


def _certification(standard: str, system: str, procedures: Sequence[str]) -> Template:
    return (
        phase(
            "Gap analysis",
            _kickoff(),
            task(f"Gap analysis against {standard}", "10d", key="gap"),
            task("Risk assessment", "10d", after="gap SS+3d"),
            gate=milestone("Plan approved"),
        ),
        phase(
            f"Build the {system}",
            task("Document control", "5d", key="control"),
            *[task(name, "10d", after="control SS+3d") for name in procedures],
            task("Train the process owners", "5d"),
            gate=milestone(f"{system[0].upper()}{system[1:]} in place", key="in_place"),
        ),
        phase(
            "Operate and audit",
            task("Run the system and keep records", "8w", key="run"),
            task("Internal audit", "5d", after="run FF", risk=True),
            task("Corrective actions", "10d"),
            task("Management review", "1d"),
            gate=milestone("Ready for certification"),
        ),
        phase(
            "Certification",
            task("Stage 1 audit", "2d", snet_days=20, notes="Date booked with the auditors."),
            task("Close the stage 1 findings", "10d"),
            task("Stage 2 audit", "3d"),
            milestone("Certificate issued", key="golive", deadline=True),
            gate=_closed(),
        ),
    )


def _quality_system() -> Template:
    return _certification(
        "ISO 9001",
        "quality management system",
        ("Quality manual and process map", "Supplier quality procedure", "Non-conformity process"),
    )


def _security_system() -> Template:
    return _certification(
        "ISO 27001",
        "information security management system",
        ("Statement of applicability", "Access control policy", "Incident management"),
    )


def _solar() -> Template:
    roofs: list[Phase] = []
    for number, plant in enumerate(("Lille", "Milan"), 1):
        roofs.append(
            phase(
                f"{plant} plant roof",
                task(
                    "Reinforce the roof structure",
                    "15d",
                    after="contracts" if number == 1 else "mount1 SS+20d",
                ),
                milestone("Panels and inverters delivered", snet_days=30),
                task("Mount the panels and inverters", "25d", key=f"mount{number}", risk=True),
                task("Electrical connection", "10d", after=f"mount{number} SS+15d"),
                gate=milestone(f"{plant} installation complete"),
            )
        )
    return (
        phase(
            "Studies and permits",
            _kickoff(),
            task("Structural survey of the roofs", "15d", key="survey"),
            task("Grid connection request", "5d", after="kickoff", key="grid"),
            task("Building permits in Lille and Milan", "60ed", after="survey"),
            task("Tender for the installer", "20d", after="survey"),
            gate=milestone("Permits and contracts in place", key="contracts"),
        ),
        *roofs,
        phase(
            "Commissioning",
            task(
                "Grid connection by the network operator",
                "10d",
                after="grid",
                snet_days=180,
                notes="Date given by the network operator.",
            ),
            task("Commissioning and performance test", "10d"),
            milestone("Energy production starts", key="golive", deadline=True),
            task("Monitoring and maintenance contract", "5d"),
            gate=_closed(),
        ),
    )


def _fleet() -> Template:
    batches = (
        "head office and Lille",
        "Lyon, Hamburg and Milan",
        "Basel and the sales offices",
        "United Kingdom and United States",
    )
    chargers = [
        task(
            f"Charging points: {batch}",
            "20d",
            after="contracts" if number == 1 else f"chargers{number - 1} SS+10d",
            key=f"chargers{number}",
        )
        for number, batch in enumerate(batches, 1)
    ]
    return (
        phase(
            "Preparation",
            _kickoff(),
            task("Company car policy for electric vehicles", "10d"),
            task("Charging needs per site", "10d", after="kickoff", key="needs"),
            task("Tender: vehicles and leasing", "25d", after="kickoff"),
            task("Tender: charging points", "20d", after="needs"),
            gate=milestone("Contracts signed", key="contracts"),
        ),
        phase("Charging points", *chargers, gate=milestone("Charging points live")),
        phase(
            "Vehicles",
            milestone("First vehicles delivered", after="contracts", snet_days=60),
            task("Replace the 35 vans", "30d", risk=True),
            task("Replace the first 100 company cars", "40d", after="chargers1", key="cars1"),
            task("Replace the other 110 company cars", "40d"),
            task("Sell the combustion vehicles", "20d", after="cars1 SS+20d"),
            task("Energy and cost report", "5d"),
            gate=_closed(),
        ),
    )


ERP_COUNTRIES = (
    "France",
    "Benelux",
    "Germany",
    "Italy",
    "Iberia",
    "Switzerland",
    "United Kingdom",
    "Poland",
    "United States",
)


def _erp_wave(number: int, country: str) -> Phase:
    key = f"w{number}"
    first = "tested" if number == 1 else f"w{number - 1}_keyusers"
    golive_after = f"{key}_cutover" + ("" if number == 1 else f"; w{number - 1}_golive +20d")
    return phase(
        f"Wave {number}: {country}",
        task("Localisation requirements", "5d", after=first, key=f"{key}_local"),
        task("Legal and tax reporting", "10d", key=f"{key}_legal"),
        task("Local interfaces and bank connections", "10d", after=f"{key}_local SS+2d"),
        task("Data cleansing", "15d", after=f"{key}_local SS", risk=number <= 2),
        task("Country mock conversion", "5d", key=f"{key}_mock"),
        task("Key user training", "5d", after=f"{key}_legal", key=f"{key}_keyusers"),
        task("End user training", "10d", key=f"{key}_users"),
        task("Cutover rehearsal", "3d", after=f"{key}_mock", key=f"{key}_rehearsal"),
        milestone("Go/no-go decision", after=f"{key}_rehearsal; {key}_users FF"),
        task("Cutover weekend", "3ed", key=f"{key}_cutover"),
        milestone(
            f"Go-live {country}", after=golive_after, key=f"{key}_golive", deadline=number == 1
        ),
        task("Month-end close support", "5d", after=f"{key}_golive +15d"),
        task("Hypercare and hand-over to support", "15d", after=f"{key}_golive"),
    )


def _erp() -> Template:
    return (
        phase(
            "Mobilisation",
            _kickoff(),
            task("Programme charter and governance", "5d"),
            task("Select the system integrator", "20d", after="kickoff", key="integrator"),
            task("Readiness check of the ECC system", "10d", after="kickoff"),
            task("Set up the programme office", "10d", after="integrator SS+5d"),
            gate=milestone("Mobilisation complete"),
        ),
        phase(
            "Global design",
            task("Fit-to-standard workshops: finance", "20d", key="finance"),
            task("Fit-to-standard workshops: purchasing", "15d", after="finance SS+5d"),
            task("Fit-to-standard workshops: logistics", "15d", after="finance SS+10d"),
            task("Custom code analysis", "15d", after="finance SS"),
            task("Interface inventory (68 interfaces)", "10d", after="finance SS+5d"),
            task("Authorisation concept", "10d", after="finance FF"),
            gate=milestone("Global template signed off", key="template"),
        ),
        phase(
            "Build",
            task("Sandbox system conversion", "15d", key="sandbox"),
            task("Custom code remediation", "40d", after="sandbox", risk=True),
            task("Rebuild the interfaces", "45d", after="sandbox SS+10d"),
            task("Universal Journal and finance data model", "20d", after="sandbox"),
            task("Reports and Fiori apps", "30d", after="sandbox SS+15d"),
            task("Authorisation roles", "20d", after="sandbox SS+20d"),
            task("Output forms and printing", "15d", after="sandbox SS+20d"),
            gate=milestone("Build complete", key="built"),
        ),
        phase(
            "Testing",
            task("Mock conversion 1", "10d", key="mock1"),
            task("System integration test, cycle 1", "20d", after="mock1", key="sit1"),
            task("Mock conversion 2", "10d", after="mock1 +10d"),
            task("System integration test, cycle 2", "15d", after="sit1", key="sit2"),
            task("Performance and volume test", "10d", after="sit2 SS+5d"),
            task("User acceptance test", "20d", after="sit2", risk=True),
            gate=milestone("Tests passed", key="tested"),
        ),
        phase(
            "Country rollouts",
            *(_erp_wave(number, country) for number, country in enumerate(ERP_COUNTRIES, 1)),
            gate=milestone("All countries live"),
        ),
        phase(
            "Closure",
            task("Decommission the ECC system", "20d", key="decommission"),
            task("Archive the legacy data", "15d", after="decommission SS+5d"),
            task("Lessons learned", "3d"),
            gate=milestone("Programme closed"),
        ),
    )


def _einvoicing() -> Template:
    return (
        phase(
            "Readiness",
            _kickoff(),
            task("Impact analysis of the reform", "10d", key="impact"),
            task("Select the approved platform", "20d", after="kickoff"),
            task("Invoice data quality review", "10d", after="impact"),
            gate=milestone("Platform contracted"),
        ),
        phase(
            "Integration",
            task("Connect the ERP to the platform", "20d", key="connect", risk=True),
            task("Supplier invoice reception flow", "15d", after="connect SS+5d"),
            task("E-reporting for consumer and export sales", "15d", after="connect SS+10d"),
            task("Archive invoices for ten years", "5d", after="connect"),
            gate=milestone("Integration complete"),
        ),
        phase(
            "Testing",
            task("Tests with the platform", "15d", key="tests"),
            task("Tests with the 20 largest customers", "15d", after="tests SS+5d"),
            milestone(
                "Ready to receive e-invoices",
                fnlt_days=10,
                notes="Every company must receive e-invoices from this date.",
            ),
            gate=milestone("Tests complete"),
        ),
        phase(
            "Go-live",
            milestone("Send e-invoices to every customer", key="golive", deadline=True),
            task("Supplier communication", "10d", after="golive SS"),
            task("Hypercare", "20d", after="golive"),
            gate=_closed(),
        ),
    )


def _sustainability_reporting() -> Template:
    return (
        phase(
            "Materiality",
            _kickoff(),
            task("Double materiality assessment", "20d", key="materiality"),
            task("Stakeholder consultation", "15d", after="materiality SS+5d"),
            task("Select the ESRS data points", "10d", after="materiality"),
            gate=milestone("Materiality approved"),
        ),
        phase(
            "Data collection",
            task("Data owners and collection calendar", "5d", key="owners"),
            task("Energy and emissions data (scopes 1 to 3)", "25d", risk=True),
            task("Workforce data", "15d", after="owners"),
            task("Configure the reporting tool", "20d", after="owners SS+5d"),
            gate=milestone("Data collection ready"),
        ),
        phase(
            "Controls and assurance",
            task("Internal controls over sustainability data", "15d"),
            task("Dry run with the auditors", "10d"),
            task("Close the dry-run findings", "10d"),
            gate=milestone("Ready for assurance"),
        ),
        phase(
            "Publication",
            task("Draft the sustainability statement", "15d", key="draft"),
            task("Limited assurance by the auditors", "15d", after="draft SS+5d"),
            milestone("Publish with the annual report", key="golive", deadline=True),
            gate=_closed(),
        ),
    )


def _lease_accounting() -> Template:
    return (
        phase(
            "Selection",
            _kickoff(),
            task("Collect the 1,400 lease contracts", "20d"),
            task("Select the lease accounting tool", "15d", after="kickoff"),
            gate=milestone("Tool selected"),
        ),
        phase(
            "Implementation",
            task("Configure the tool", "15d", key="config"),
            task("Load the lease data", "15d", after="config SS+5d"),
            task("Interface with the general ledger", "10d", after="config"),
            gate=milestone("Tool ready"),
        ),
        phase(
            "Parallel run and go-live",
            task("Parallel run with the spreadsheets", "4w"),
            task("Auditor review", "5d"),
            milestone("Go-live", key="golive", deadline=True),
            gate=_closed(),
        ),
    )


def _minimum_tax() -> Template:
    return (
        phase(
            "Initiation",
            _kickoff(),
            task("Scope: 14 entities in 9 jurisdictions", "5d"),
            task("Safe harbour test per jurisdiction", "15d", key="safe"),
            task("Data gap analysis", "15d", after="safe SS+5d"),
            gate=milestone("Approach approved"),
        ),
        phase(
            "Data and calculation",
            task("Data collection templates", "10d"),
            task("Collect the entity data", "20d", key="collect"),
            task("Calculation engine", "20d", after="collect SS+5d"),
            gate=milestone("First calculation"),
        ),
        phase(
            "Filing",
            task("Review with the tax advisers", "10d"),
            task("GloBE information return", "10d"),
            milestone("Return filed", key="golive", deadline=True),
            gate=_closed(),
        ),
    )


def _payroll() -> Template:
    runs: list[Step] = []
    for number in range(1, 4):
        runs += [
            task(
                f"Parallel run {number}",
                "5d",
                after="setup" if number == 1 else f"reconcile{number - 1} +10d",
            ),
            task(f"Reconcile parallel run {number}", "5d", key=f"reconcile{number}", risk=True),
        ]
    return (
        phase(
            "Selection",
            _kickoff(),
            task("Requirements and real-time reporting obligations", "10d"),
            task("Select the payroll provider", "20d"),
            task("Contract and data processing agreement", "10d"),
            gate=milestone("Provider contracted"),
        ),
        phase(
            "Set-up",
            task("Migrate the employee data", "15d", key="data"),
            task("Pay elements and pension schemes", "15d", after="data SS+5d"),
            task("Connection to HMRC", "5d", after="data"),
            gate=milestone("Set-up complete", key="setup"),
        ),
        phase(
            "Parallel runs and go-live",
            *runs,
            milestone("Parallel runs signed off"),
            milestone("First live payroll", key="golive", deadline=True),
            task("Year-end processes", "10d"),
            gate=_closed(),
        ),
    )


def _data_retention() -> Template:
    waves: list[Step] = []
    scopes = (
        ("HR and payroll", 6),
        ("CRM and marketing", 8),
        ("finance and ERP", 7),
        ("legacy archives", 6),
    )
    for number, (scope, count) in enumerate(scopes, 1):
        waves += [
            task(
                f"Wave {number}, {scope}: purge rules for {count} applications",
                "15d",
                after="framework" if number == 1 else f"rules{number - 1}",
                key=f"rules{number}",
            ),
            task(f"Wave {number}: build and test the purges", "30d", risk=number == 2),
        ]
    return (
        phase(
            "Framework",
            _kickoff(),
            task("Retention schedule by data category", "15d", key="schedule"),
            task("Purge and anonymisation standards", "10d"),
            task("Inventory of the 27 applications", "10d", after="schedule SS+5d"),
            gate=milestone("Framework approved", key="framework"),
        ),
        phase("Application waves", *waves, gate=milestone("All applications compliant")),
        phase(
            "Evidence",
            task("Evidence pack for the DPO", "10d"),
            task("Train the application owners", "5d"),
            task("Yearly purge monitoring", "5d"),
            gate=_closed(),
        ),
    )


def _cyber() -> Template:
    return (
        phase(
            "Gap analysis",
            _kickoff(),
            task("Scope: essential and important entities", "5d"),
            task("Gap analysis against the NIS2 measures", "20d"),
            task("Remediation roadmap", "10d"),
            gate=milestone("Roadmap approved"),
        ),
        phase(
            "Remediation",
            task("Incident detection and 24-hour reporting", "25d", key="incidents"),
            task("Supplier security clauses and assessments", "30d", after="incidents SS+10d"),
            task("Multi-factor authentication everywhere", "20d", after="incidents SS"),
            task("Backup and recovery tests", "15d", after="incidents SS+5d"),
            task("Cyber-risk training for the management board", "5d", after="incidents SS"),
            gate=milestone("Remediation complete"),
        ),
        phase(
            "Assurance",
            task("Internal audit of the NIS2 controls", "10d"),
            task("Incident reporting drill", "2d"),
            task("Register with the national authority", "5d"),
            gate=_closed(),
        ),
    )


def _whistleblowing() -> Template:
    return (
        phase(
            "Procedure",
            _kickoff(),
            task("Whistleblowing procedure", "10d", key="procedure"),
            task("Inform the works council", "15ed"),
            gate=milestone("Procedure approved"),
        ),
        phase(
            "Platform",
            task("Select the platform", "10d", after="kickoff"),
            task("Configure the reporting channels", "5d"),
            task("Train the ethics committee", "2d"),
            gate=milestone("Platform ready"),
        ),
        phase(
            "Launch",
            task("Publish the procedure on the intranet", "1d"),
            task("Inform employees and suppliers", "5d"),
            milestone("Channel open", key="golive", deadline=True),
            gate=_closed(),
        ),
    )


def _office_move() -> Template:
    return (
        phase(
            "Design",
            _kickoff(),
            task("Workplace survey and occupancy study", "10d", key="survey"),
            task("Space plan: desks, meeting and quiet rooms", "10d"),
            task("Select the fit-out contractor", "20d", after="survey"),
            gate=milestone("Design and contractor approved", key="approved"),
        ),
        phase(
            "Fit-out works",
            task("Strip out the floors", "10d", key="strip"),
            task("Pour the new floor screed", "3d", key="screed"),
            task("Concrete curing", "7ed", key="curing"),
            task("Partitions and ceilings", "15d", after="curing", key="partitions"),
            task("Electrical, data cabling and ventilation", "20d", after="strip SS+5d"),
            task("Flooring and decoration", "10d", after="partitions"),
            gate=milestone("Works handed over", key="works"),
        ),
        phase(
            "Move",
            milestone("Furniture delivered", after="approved", snet_days=70),
            task("Install furniture and meeting room equipment", "8d", after="works"),
            task("Pack and label the crates", "5d", after="works"),
            task("Move weekend", "2ed", key="move"),
            milestone("First day in the new office", key="golive", deadline=True),
            task("Snagging list", "10d", after="golive"),
            gate=_closed(),
        ),
    )


def _product_launch() -> Template:
    return (
        phase(
            "Concept",
            _kickoff(),
            task("Market and customer research", "15d", key="research"),
            task("Product requirements", "10d", after="research SS+5d"),
            task("Business case and target costing", "10d"),
            gate=milestone("Concept approved"),
        ),
        phase(
            "Design and prototypes",
            task("Industrial design", "20d", key="design"),
            task("Engineering design", "25d", after="design SS+10d", key="engineering"),
            task("Build prototypes", "15d", key="prototypes"),
            task("Certification tests", "20d", risk=True),
            task("Packaging design", "10d", after="design"),
            gate=milestone("Design frozen", key="frozen"),
        ),
        phase(
            "Industrialisation",
            task("Order the production tooling", "5d", key="tooling"),
            milestone("Tooling delivered", after="tooling", snet_days=60),
            task("Pre-series production", "10d"),
            task("Supplier qualification", "15d", after="tooling SS+5d"),
            gate=milestone("Ready for production", key="ready"),
        ),
        phase(
            "Launch",
            task("Train the sales force", "5d", after="frozen"),
            task("Launch campaign", "20d", after="ready SS-10d"),
            milestone("Market launch", after="ready", key="golive", deadline=True),
            task("Post-launch review", "5d", after="golive +20d"),
            gate=_closed(),
        ),
    )


def _software_rollout(system: str) -> Template:
    return (
        phase(
            "Mobilisation",
            _kickoff(),
            task("Scope and success criteria", "5d"),
            task(f"Select the {system} vendor", "20d", after="kickoff"),
            gate=milestone("Vendor selected"),
        ),
        phase(
            "Design and build",
            task("Process workshops", "15d", key="workshops"),
            task("Configure the system", "20d", after="workshops SS+5d", key="config"),
            task("Interfaces", "20d", after="config SS+5d", risk=True),
            task("Data migration", "15d", after="config"),
            gate=milestone("Build complete"),
        ),
        phase(
            "Deployment",
            task("User acceptance test", "10d"),
            task("Train the users", "10d"),
            milestone("Go-live", key="golive", deadline=True),
            task("Hypercare", "15d"),
            gate=_closed(),
        ),
    )


TEMPLATES: dict[str, Callable[[], Template]] = {
    "DIG-CRM": _crm,
    "DIG-ECOM": _ecommerce,
    "DIG-PORTAL": _portal,
    "DIG-CCAAS": _contact_centre,
    "DIG-UKWEB": _web_localisation,
    "DIG-LZ": _landing_zone,
    "DIG-DCEXIT": _data_centre_exit,
    "DIG-DATA": _data_platform,
    "DIG-MDM": _master_data,
    "DIG-FCST": _forecasting,
    "DIG-M365": _workplace,
    "DIG-SDWAN": _network,
    "OPS-WMS": _warehouse,
    "OPS-TMS": _transport,
    "OPS-SOP": _sales_and_operations,
    "OPS-SUPPLIER": _supplier_portal,
    "OPS-RFID": _rfid,
    "OPS-MES": _manufacturing_execution,
    "OPS-PDM": _predictive_maintenance,
    "OPS-LEAN": _lean,
    "OPS-BASEL": _quality_system,
    "OPS-SOLAR": _solar,
    "OPS-FLEET": _fleet,
    "REG-S4": _erp,
    "REG-EINV": _einvoicing,
    "REG-CSRD": _sustainability_reporting,
    "REG-IFRS16": _lease_accounting,
    "REG-PILLAR2": _minimum_tax,
    "REG-UKPAY": _payroll,
    "REG-GDPR": _data_retention,
    "REG-NIS2": _cyber,
    "REG-ISO27": _security_system,
    "REG-SAPIN": _whistleblowing,
}

# The kinds of project of the large demo that get a plan (one project each), by topic.
TOPIC_TEMPLATES: dict[str, Callable[[], Template]] = {
    "Office refurbishment": _office_move,
    "New product launch": _product_launch,
    "Warehouse automation": _warehouse,
    "CRM roll-out": lambda: _software_rollout("CRM"),
    "Cloud migration": _data_centre_exit,
    "ISO 27001 certification": _security_system,
    "Rooftop solar": _solar,
    "E-invoicing": _einvoicing,
}


# Drawing a template -----------------------------------------------------------------------------

_REFERENCE = re.compile(
    r"^(?P<key>[a-z0-9_]+)\s*(?P<type>FS|SS|FF|SF)?\s*(?P<lag>[+-]\s*[0-9.]+\s*[a-z]+)?$"
)


@dataclass(frozen=True)
class Link:
    """A predecessor of a drawn row: its row number, the link type and the lag as typed."""

    position: int
    type: str = "FS"
    lag: str = ""

    @property
    def text(self) -> str:
        """As typed in a predecessors cell: ``12``, ``12SS+5d``."""
        if self.type == "FS" and not self.lag:
            return str(self.position)
        return f"{self.position}{self.type}{self.lag}"

    @property
    def lag_days(self) -> float:
        if not self.lag:
            return 0.0
        days = _working_days(parse_quantity(self.lag[1:]))
        return -days if self.lag.startswith("-") else days


@dataclass(frozen=True)
class Row:
    """A row of a drawn template: a summary task (without a step) or a task with its links."""

    position: int
    level: int
    name: str
    step: Step | None
    links: tuple[Link, ...] = ()

    @property
    def predecessors(self) -> str:
        return "; ".join(link.text for link in self.links)


def _working_days(quantity: Quantity) -> float:
    if quantity.unit.startswith("e"):
        return quantity.minutes / 1440 * 5 / 7
    return quantity.minutes / MINUTES_PER_DAY


def draw(template: Template) -> tuple[Row, ...]:
    """The rows of a template in plan order, with predecessors as row numbers.

    Raises ValueError for a key used twice or a predecessor that is not above its successor.
    """
    rows: list[Row] = []
    keys: dict[str, int] = {}
    followed: set[int] = set()
    leaves: list[int] = []

    def links_of(step: Step, default: Iterable[int]) -> tuple[Link, ...]:
        if step.after is None:
            return tuple(Link(position) for position in default)
        links = []
        for part in filter(None, (part.strip() for part in step.after.split(";"))):
            match = _REFERENCE.match(part)
            if match is None or match["key"] not in keys:
                raise ValueError(f"{step.name}: no task above with the key of {part!r}")
            lag = (match["lag"] or "").replace(" ", "")
            links.append(Link(keys[match["key"]], match["type"] or "FS", lag))
        return tuple(links)

    def add(step: Step, level: int, default: Iterable[int]) -> None:
        row = Row(len(rows) + 1, level, step.name, step, links_of(step, default))
        if step.key:
            if step.key in keys:
                raise ValueError(f"{step.name}: the key {step.key!r} is already used")
            keys[step.key] = row.position
        rows.append(row)
        followed.update(link.position for link in row.links)
        leaves.append(row.position)

    def walk(item: Phase, level: int, last: bool) -> None:
        rows.append(Row(len(rows) + 1, level, item.name, None))
        first = len(leaves)
        for child in item.children:
            if isinstance(child, Phase):
                walk(child, level + 1, last=False)
            else:
                add(child, level + 1, leaves[-1:])
        if item.gate is not None:
            # The last gate closes the plan: everything left open leads to it.
            scope = leaves if last else leaves[first:]
            add(item.gate, level + 1, [p for p in scope if p not in followed])

    for index, item in enumerate(template):
        walk(item, 1, last=index == len(template) - 1)
    return tuple(rows)


@cache
def template_rows(name: str) -> tuple[Row, ...]:
    """The drawn rows of a project's template (by project code or large-demo topic)."""
    template = TEMPLATES.get(name) or TOPIC_TEMPLATES[name]
    return draw(template())


def scaled_duration(step: Step, factor: float) -> Quantity:
    """The step's duration stretched by ``factor``, in whole days; elapsed durations (curing,
    statutory periods) and durations under a day stay as they are."""
    quantity = parse_quantity(step.duration)
    if quantity.minutes == 0 or quantity.unit not in {"d", "w", "mo"}:
        return quantity
    days = max(1, round(quantity.minutes / MINUTES_PER_DAY * factor))
    return Quantity(days * MINUTES_PER_DAY, "d")


def nominal_length(rows: Sequence[Row], factor: float) -> float:
    """How many working days the rows take at ``factor``, by a forward pass that ignores the
    calendar (used only to fit a template to a project's dates)."""
    start: dict[int, float] = {}
    finish: dict[int, float] = {}
    for row in rows:
        if row.step is None:
            continue
        duration = _working_days(scaled_duration(row.step, factor))
        early, base = 0.0, 0.0
        for link in row.links:
            before_start, before_finish = start[link.position], finish[link.position]
            base = max(base, before_finish)
            bound = {
                "FS": before_finish + link.lag_days,
                "SS": before_start + link.lag_days,
                "FF": before_finish + link.lag_days - duration,
                "SF": before_start + link.lag_days - duration,
            }[link.type]
            early = max(early, bound)
        if row.step.snet_days:
            early = max(early, base + row.step.snet_days * 5 / 7)
        start[row.position], finish[row.position] = early, early + duration
    return max(finish.values(), default=0.0)


def fit_factor(rows: Sequence[Row], working_days: float) -> float:
    """The largest duration factor (within reason) at which the rows fit in ``working_days``."""
    low, high = 0.05, 20.0
    if nominal_length(rows, high) <= working_days:
        return high
    for _ in range(30):
        middle = (low + high) / 2
        if nominal_length(rows, middle) > working_days:
            high = middle
        else:
            low = middle
    return low


def weekdays_between(first: dt.date, last: dt.date) -> int:
    """Monday to Friday from ``first`` to ``last``, both included."""
    days = (last - first).days + 1
    weeks, extra = divmod(max(days, 0), 7)
    tail = first + dt.timedelta(weeks=weeks)
    return weeks * 5 + sum((tail + dt.timedelta(days=i)).weekday() < 5 for i in range(extra))


def _morning(moment: dt.datetime) -> dt.datetime:
    """8:00 on that day, or on the Monday after a weekend."""
    day = moment.date()
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, DAY_START)


def _evening(moment: dt.datetime) -> dt.datetime:
    """17:00 on that day, or on the Friday before a weekend."""
    day = moment.date()
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return dt.datetime.combine(day, DAY_END)


# Choosing the projects --------------------------------------------------------------------------


def _topic(project: ProjectLike) -> str:
    return project.name.split(" — ")[0]


def chosen_templates(projects: Iterable[P]) -> list[tuple[P, str]]:
    """The projects that get a plan, with the name of their template: every project of the
    small demo but the proposals; in the large demo, one project in execution per topic that
    has a template (a plan for each of 2,000 projects would take too long to build)."""
    chosen: list[tuple[P, str]] = []
    topics: set[str] = set()
    for project in projects:
        if project.phase == ProjectPhase.PROPOSAL:
            continue
        if project.code in TEMPLATES:
            chosen.append((project, project.code))
            continue
        topic = _topic(project)
        if (
            topic in TOPIC_TEMPLATES
            and topic not in topics
            and project.phase == ProjectPhase.EXECUTION
        ):
            topics.add(topic)
            chosen.append((project, topic))
    return chosen


def plan_steps(projects: Iterable[ProjectLike]) -> int:
    """How much work :func:`build_plans` will report for these projects (one step a row)."""
    return sum(len(template_rows(name)) for _project, name in chosen_templates(projects))


# Building the plans -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pace:
    """How a project's work went, by its RAG status: tasks that took longer than planned, the
    pace of risky tasks in progress (a share of the planned progress), tasks estimated again,
    tasks not started though planned to, and the days between a go-live and its deadline."""

    overruns: int
    overrun: tuple[float, float]
    behind: tuple[float, float]
    reestimates: int
    missed: int
    deadline_days: int


PACES: dict[str, Pace] = {
    HealthRag.GREEN: Pace(1, (1.1, 1.25), (0.9, 1.0), 0, 0, 21),
    HealthRag.AMBER: Pace(2, (1.3, 1.5), (0.6, 0.75), 1, 0, 10),
    HealthRag.RED: Pace(3, (1.5, 1.8), (0.4, 0.55), 1, 1, 5),
}
# The pace of tasks in progress that are not at risk: a share of the planned progress.
ON_PLAN = (0.85, 1.1)
BASELINED_PHASES = frozenset({ProjectPhase.EXECUTION, ProjectPhase.CLOSING, ProjectPhase.CLOSED})
# Where two projects of one programme depend on each other: (predecessor project, key,
# successor project, key).
CROSS_PROJECT_LINKS: tuple[tuple[str, str, str, str], ...] = (
    ("DIG-CRM", "accounts", "DIG-PORTAL", "screens"),
    ("DIG-DATA", "production", "DIG-MDM", "publish"),
)


@dataclass
class _PlanWriter:
    """Enters one project's plan through the services, as its manager."""

    project: Project
    template: str
    calendar: WorkCalendar
    actor: User
    today: dt.date
    rng: random.Random
    keys: dict[str, Task] = field(default_factory=dict)

    @property
    def manager(self) -> User:
        """Who enters the plan: the project manager, or the PMO for a project without one."""
        return self.project.manager or self.actor

    @property
    def pace(self) -> Pace:
        pace = PACES[self.project.health]
        if self.project.phase not in BASELINED_PHASES:
            # Not baselined yet (initiation, planning): nothing to slip against, the first
            # tasks go as planned.
            return replace(pace, overruns=0, behind=ON_PLAN, reestimates=0, missed=0)
        return pace

    def run(self) -> bool:
        """Build the plan; False if the project has tasks already or no dates."""
        project = self.project
        if project.start_date is None or project.finish_date is None:
            return False
        if planning_selectors.task_list(user=self.manager, project=project).exists():
            return False
        rows = template_rows(self.template)
        cancelled = project.status == ProjectStatus.CANCELLED
        working_days = weekdays_between(project.start_date, project.finish_date) * WORKING_SHARE
        factor = fit_factor(rows, working_days * (CANCELLED_STRETCH if cancelled else 1))
        start = dt.datetime.combine(project.start_date, DAY_START)
        # No status date while the plan is entered and progressed: work planned before today
        # stays where it was planned until its progress is recorded.
        planning_services.plan_update(
            actor=self.manager,
            project=project,
            start=start,
            calendar=self.calendar,
            status_date=None,
        )
        tasks: dict[int, Task] = {}
        # The rows are entered one by one through the services, but the plan is scheduled
        # once at the end of the entry (and when a row needs its predecessors' dates).
        with planning_services.batch_scheduling():
            for row in rows:
                tasks[row.position] = self._create(row, factor, tasks, start)
        fresh = {
            task.pk: task
            for task in planning_selectors.task_list(user=self.manager, project=project)
        }
        tasks = {position: fresh[task.pk] for position, task in tasks.items()}
        self.keys = {row.step.key: tasks[row.position] for row in rows if row.step and row.step.key}
        if project.phase in BASELINED_PHASES:
            planning_services.baseline_capture(
                actor=self.manager,
                project=project,
                name=BASELINE_NAME,
                description="The plan approved at the start of execution.",
            )
        if project.status == ProjectStatus.ON_HOLD or project.start_date > self.today:
            return True
        finished = project.phase == ProjectPhase.CLOSED and not cancelled
        until = (
            None
            if finished
            else dt.datetime.combine(project.finish_date if cancelled else self.today, DAY_END)
        )
        leaves = [(row, tasks[row.position]) for row in rows if row.step is not None]
        # Progress dates each task from the schedule of the moment; the health check waits
        # for the end of the batch.
        with planning_services.batch_scheduling():
            self._progress(leaves, until)
            if until is not None:
                self._reestimate(leaves, until)
        status_date = until or planning_services.plan_for(project).finish
        planning_services.plan_update(actor=self.manager, project=project, status_date=status_date)
        return True

    def _create(self, row: Row, factor: float, tasks: dict[int, Task], start: dt.datetime) -> Task:
        actor, project = self.manager, self.project
        step = row.step
        if step is None:
            return planning_services.task_create(
                actor=actor, project=project, name=row.name, outline_level=row.level
            )
        duration = scaled_duration(step, factor)
        values: dict[str, Any] = {
            "duration_minutes": duration.minutes,
            "duration_unit": duration.unit,
        }
        after = start
        if step.snet_days or step.fnlt_days or step.deadline:
            # These dates follow the predecessors' scheduled finish: schedule what was entered.
            planning_services.ensure_scheduled(project)
            finishes = (
                planning_selectors.task_list(user=actor, project=project)
                .filter(pk__in=[tasks[link.position].pk for link in row.links])
                .values_list("finish", flat=True)
            )
            after = max((finish for finish in finishes if finish), default=start)
        if step.snet_days:
            values["constraint_type"] = "SNET"
            values["constraint_date"] = _morning(after + dt.timedelta(days=step.snet_days))
        if step.fnlt_days:
            own_days = round(_working_days(duration) * 7 / 5)
            values["constraint_type"] = "FNLT"
            values["constraint_date"] = _evening(
                after + dt.timedelta(days=own_days + step.fnlt_days)
            )
        if step.deadline:
            margin = self.pace.deadline_days
            values["deadline"] = _evening(after + dt.timedelta(days=margin))
        if step.notes:
            values["notes"] = step.notes
        return planning_services.task_create(
            actor=actor,
            project=project,
            name=step.name,
            outline_level=row.level,
            predecessors=row.predecessors or None,
            **values,
        )

    def _pick(self, tasks: Sequence[Task], count: int, risky: set[int]) -> list[int]:
        """``count`` of the tasks, risky ones first, the others drawn at random."""
        ranked = sorted(tasks, key=lambda task: (task.pk not in risky, self.rng.random()))
        return [task.pk for task in ranked[:count]]

    def _progress(self, leaves: Sequence[tuple[Row, Task]], until: dt.datetime | None) -> None:
        """Record progress up to ``until`` (everything when None) in the order work started:
        done when planned to finish by then, partly done when under way. A few tasks overrun
        first and one may not have started at all, as the project's pace says."""
        pace = self.pace
        risky = {task.pk for row, task in leaves if row.step is not None and row.step.risk}
        begun = [
            task
            for _row, task in leaves
            if not task.is_milestone
            and not task.is_elapsed
            and (until is None or task.start < until)
        ]
        overrun = set(self._pick(begun, pace.overruns, risky))
        recent = [
            task
            for task in begun
            if until is not None
            and task.start >= until - dt.timedelta(days=30)
            and task.pk not in overrun
        ]
        done = set(self._pick(recent, pace.missed, risky))

        def pending() -> list[Task]:
            planning_services.ensure_scheduled(self.project)
            rows = planning_selectors.task_list(user=self.manager, project=self.project)
            rows = rows.filter(is_summary=False).exclude(pk__in=done)
            if until is not None:
                rows = rows.filter(start__lt=until)
            return list(rows.order_by("start", "position"))

        # Progress recorded as planned moves no task, so the rows are read again only after a
        # task took longer than planned.
        queue = pending()
        while queue:
            current = queue.pop(0)
            current.project = self.project
            if current.pk in overrun:
                overrun.discard(current.pk)
                self._lengthen(current, pace.overrun)
                queue = pending()
                continue
            if until is None or current.finish <= until:
                percent = 100
            else:
                planned = (until - current.start) / (current.finish - current.start)
                speed = pace.behind if current.pk in risky else ON_PLAN
                percent = min(95, max(5, 5 * round(20 * planned * self.rng.uniform(*speed))))
            planning_services.task_update(
                actor=self.manager, task=current, percent_complete=percent
            )
            done.add(current.pk)

    def _reestimate(self, leaves: Sequence[tuple[Row, Task]], until: dt.datetime) -> None:
        """Estimate again a task not started yet, as a planner does when a risk shows."""
        pace = self.pace
        risky = {task.pk for row, task in leaves if row.step is not None and row.step.risk}
        future = [
            task
            for _row, task in leaves
            if not task.is_milestone and not task.is_elapsed and task.start >= until
        ]
        for pk in self._pick(future, pace.reestimates, risky):
            current = planning_selectors.task_list(user=self.manager, project=self.project).get(
                pk=pk
            )
            current.project = self.project
            self._lengthen(current, (1.3, 1.5))

    def _lengthen(self, task: Task, factors: tuple[float, float]) -> None:
        days = task.duration_minutes / MINUTES_PER_DAY
        longer = max(days + 1, round(days * self.rng.uniform(*factors)))
        planning_services.task_update(
            actor=self.manager,
            task=task,
            duration_minutes=int(longer * MINUTES_PER_DAY),
            duration_unit="d",
        )


def _shared_calendar(actor: User, today: dt.date) -> WorkCalendar:
    """The organisation's calendar for France, with the year-end closures around ``today``."""
    existing = (
        planning_selectors.calendar_list(user=actor)
        .filter(project__isnull=True, name=CALENDAR_NAME)
        .first()
    )
    if existing is not None:
        return existing
    calendar = planning_services.calendar_create(
        actor=actor, name=CALENDAR_NAME, holiday_country=CALENDAR_COUNTRY
    )
    for year in range(today.year - 2, today.year + 4):
        planning_services.exception_create(
            actor=actor,
            calendar=calendar,
            name="Year-end closure",
            start=dt.date(year, 12, 24),
            finish=dt.date(year, 12, 31),
        )
    return calendar


def _link_projects(actor: User, built: dict[str, _PlanWriter]) -> None:
    """Link the plans that depend on another project of their programme."""
    for before, before_key, after, after_key in CROSS_PROJECT_LINKS:
        if before not in built or after not in built:
            continue
        predecessor = built[before].keys[before_key]
        successor = built[after].keys[after_key]
        project = built[after].project
        # The programme manager sees both projects; otherwise the PMO makes the link.
        manager = project.programme.manager if project.programme is not None else None
        linker = (
            manager
            if manager is not None
            and can(manager, Action.CHANGE, project)
            and can(manager, Action.VIEW, built[before].project)
            else actor
        )
        planning_services.dependency_create(
            actor=linker, predecessor=predecessor, successor=successor
        )


def build_plans(
    *,
    actor: User,
    projects: Iterable[Project],
    today: dt.date,
    seed: int = 42,
    progress: Progress | None = None,
) -> int:
    """Build a plan for each project that gets one (see :func:`chosen_templates`) and has no
    task yet; returns how many were built. ``actor`` creates the shared calendar and links
    projects its programme manager may not; each plan is entered by the project's manager.
    ``progress`` is called with the steps done for each project (see :func:`plan_steps`)."""
    chosen = chosen_templates(projects)
    if not chosen:
        return 0
    calendar = _shared_calendar(actor, today)
    built: dict[str, _PlanWriter] = {}
    for project, template in chosen:
        # Reproducible on purpose: nothing secret is drawn from it.
        rng = random.Random(f"{seed}:{project.code}")  # noqa: S311
        writer = _PlanWriter(project, template, calendar, actor, today, rng)
        if writer.run():
            built[project.code] = writer
        if progress is not None:
            progress(len(template_rows(template)))
    _link_projects(actor, built)
    return len(built)
