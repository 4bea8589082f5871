"""The RAID log the demo's projects keep: the risks, issues, assumptions and decisions they
record, written as a project team would write them.

Generic entries apply to any project of their kind (IT, plant, regulatory); a few projects
have their own, matching the trouble their plans show.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RiskEntry:
    """A risk as the team wrote it; ``task_words`` pick the tasks it would delay."""

    title: str
    category: str
    cause: str
    event: str
    effect: str
    probability: int
    impact: int
    residual: tuple[int, int]
    response: str
    response_plan: str
    actions: tuple[str, ...]
    delay_days: tuple[float, float, float] | None = None
    cost: int | None = None
    task_words: tuple[str, ...] = ()
    kind: str = "threat"
    trigger: str = ""


@dataclass(frozen=True)
class IssueEntry:
    title: str
    description: str
    severity: str
    priority: int


@dataclass(frozen=True)
class AssumptionEntry:
    title: str
    description: str


@dataclass(frozen=True)
class DecisionEntry:
    title: str
    rationale: str
    affects: str
    by: str = ""


@dataclass(frozen=True)
class ProjectRaid:
    """A project's own entries, on top of the generic ones of its kind."""

    risks: tuple[RiskEntry, ...] = ()
    issues: tuple[IssueEntry, ...] = ()
    assumptions: tuple[AssumptionEntry, ...] = ()
    decisions: tuple[DecisionEntry, ...] = ()
    external: tuple[tuple[str, str], ...] = field(default=())
    """Dependencies on outside parties: (party, what is needed)."""


GENERIC_RISKS: tuple[RiskEntry, ...] = (
    RiskEntry(
        title="Key specialist leaves before go-live",
        category="resources",
        cause="Only one person knows the legacy system's interfaces.",
        event="That person leaves or is moved to another project.",
        effect="Interface work stalls for weeks while someone else learns it.",
        probability=2,
        impact=4,
        residual=(2, 2),
        response="mitigate",
        response_plan="Pair a second developer on every interface; document as we go.",
        actions=("Pair a second developer on the interfaces", "Record the interface walkthroughs"),
        delay_days=(5, 10, 25),
        cost=40_000,
        task_words=("integration", "interface", "integrate", "connect"),
    ),
    RiskEntry(
        title="Supplier delivers late",
        category="supplier",
        cause="The supplier is running several large roll-outs at the same time.",
        event="Their delivery slips past the date in the contract.",
        effect="Testing starts late and the go-live date moves.",
        probability=3,
        impact=3,
        residual=(2, 3),
        response="transfer",
        response_plan="Delay penalties in the contract; weekly delivery review with the supplier.",
        actions=("Agree weekly delivery reviews with the supplier",),
        delay_days=(3, 8, 20),
        cost=25_000,
        task_words=("build", "configure", "install", "deliver"),
        trigger="A delivery review shows a sprint with less than 80 % of its scope done.",
    ),
    RiskEntry(
        title="Users not available for acceptance testing",
        category="organisational",
        cause="Testing falls in the business's busiest weeks.",
        event="Key users cannot give the days the test plan needs.",
        effect="Acceptance takes longer and finds defects late.",
        probability=3,
        impact=2,
        residual=(2, 2),
        response="mitigate",
        response_plan="Book the testers with their managers now; backfill their desks.",
        actions=("Book the acceptance testers with their managers",),
        delay_days=(2, 5, 12),
        task_words=("acceptance", "test", "uat", "pilot"),
    ),
    RiskEntry(
        title="Security review finds blocking issues",
        category="security",
        cause="The design has not been through the security architecture board yet.",
        event="The review asks for changes to authentication or data flows.",
        effect="Rework before go-live and a later start of the roll-out.",
        probability=2,
        impact=3,
        residual=(1, 3),
        response="avoid",
        response_plan="Present the design to the board before build starts.",
        actions=("Present the design to the security board",),
        delay_days=(2, 6, 15),
        cost=15_000,
        task_words=("design", "architecture", "security"),
    ),
    RiskEntry(
        title="Budget overrun on contractor days",
        category="cost",
        cause="Estimates were made before the detailed design.",
        event="The work takes more contractor days than budgeted.",
        effect="The project needs a change request for more budget.",
        probability=3,
        impact=3,
        residual=(3, 2),
        response="mitigate",
        response_plan="Monthly burn review against the earned value; scope trade-offs first.",
        actions=("Set up the monthly burn review",),
        cost=60_000,
    ),
    RiskEntry(
        title="Reuse the pilot's tooling for the roll-out",
        category="technical",
        cause="The pilot built deployment scripts that the roll-out could reuse.",
        event="The scripts work unchanged at the other sites.",
        effect="Each site's roll-out takes fewer days than planned.",
        probability=3,
        impact=2,
        residual=(4, 2),
        response="exploit",
        response_plan="Harden the pilot's scripts and make them the standard.",
        actions=("Review the pilot's scripts for reuse",),
        cost=20_000,
        kind="opportunity",
    ),
    RiskEntry(
        title="Regulation changes during the project",
        category="regulatory",
        cause="The authority's guidance is still in consultation.",
        event="The final text adds requirements.",
        effect="Scope grows after the design is signed off.",
        probability=2,
        impact=4,
        residual=(2, 3),
        response="accept",
        response_plan="Follow the consultation; keep a contingency of two weeks.",
        actions=("Follow the consultation and report monthly",),
        delay_days=(5, 10, 20),
        cost=30_000,
        task_words=("design", "requirements", "gap", "policy"),
    ),
)

PROJECT_RAID: dict[str, ProjectRaid] = {
    "DIG-CRM": ProjectRaid(
        risks=(
            RiskEntry(
                title="Duplicate accounts far above the 8 % estimated",
                category="technical",
                cause="Twelve years of accounts entered by three sales organisations.",
                event="The cleansing finds two to three times more duplicates than planned.",
                effect="Rehearsal loads slip and user acceptance starts with dirty data.",
                probability=4,
                impact=4,
                residual=(3, 3),
                response="mitigate",
                response_plan=(
                    "Add a matching tool and two data stewards; load the cleansed regions first."
                ),
                actions=(
                    "License a duplicate-matching tool",
                    "Second two data stewards from sales operations",
                    "Split the loads by region",
                ),
                delay_days=(5, 15, 30),
                cost=45_000,
                task_words=("cleanse", "rehearsal", "reconcile"),
                trigger="A rehearsal load rejects more than 2 % of the accounts.",
            ),
            RiskEntry(
                title="ERP integration limited by the API quota",
                category="technical",
                cause="The ERP's API allows 10,000 calls an hour.",
                event="Order and stock synchronisation needs more at month-end.",
                effect="Orders reach the CRM hours late; sales see stale stock.",
                probability=3,
                impact=3,
                residual=(2, 2),
                response="mitigate",
                response_plan="Batch the calls and buy the higher quota for month-end.",
                actions=("Measure the month-end call volume in the sandbox",),
                delay_days=(2, 5, 10),
                cost=12_000,
                task_words=("erp integration",),
            ),
        ),
        issues=(
            IssueEntry(
                title="Rehearsal load 2 rejected 6 % of the accounts",
                description="Address formats from the Iberian system were not mapped.",
                severity="high",
                priority=1,
            ),
        ),
        assumptions=(
            AssumptionEntry(
                title="Sales operations can second two data stewards",
                description="For twelve weeks from the start of the data migration.",
            ),
        ),
        decisions=(
            DecisionEntry(
                title="Load the cleansed regions first",
                rationale="France is clean; Iberia needs four more weeks of cleansing.",
                affects="The rehearsal loads and the training plan for Iberia.",
                by="CRM steering committee",
            ),
        ),
        external=(("Cloud CRM vendor", "Production tenant and single sign-on set up"),),
    ),
    "OPS-WMS": ProjectRaid(
        risks=(
            RiskEntry(
                title="Go-live falls in the pre-Christmas peak",
                category="schedule",
                cause="The plan slipped three weeks in the build.",
                event="Cutover is scheduled when the warehouse ships double volumes.",
                effect="A failed cutover would stop deliveries at the worst time.",
                probability=3,
                impact=5,
                residual=(2, 4),
                response="avoid",
                response_plan="Freeze the cutover window to mid-January if the build slips more.",
                actions=("Agree the cutover freeze window with logistics",),
                delay_days=(5, 10, 20),
                cost=80_000,
                task_words=("ramp", "cutover", "go-live"),
            ),
        ),
        external=(("Carrier EDI provider", "Test connection for the two UK carriers"),),
    ),
    "REG-S4": ProjectRaid(
        risks=(
            RiskEntry(
                title="Custom code does not pass the S/4 readiness check",
                category="technical",
                cause="1,800 custom objects written over twenty years.",
                event="More than a quarter need rewriting rather than adjusting.",
                effect="The conversion waves take longer and cost more.",
                probability=3,
                impact=4,
                residual=(3, 3),
                response="mitigate",
                response_plan="Retire unused code first; an offshore factory for the rest.",
                actions=("Run the usage analysis to retire unused code",),
                delay_days=(10, 20, 40),
                cost=150_000,
                task_words=("custom", "conversion", "remediat"),
            ),
        ),
        decisions=(
            DecisionEntry(
                title="Brownfield conversion rather than a new implementation",
                rationale="Keeps the history and the processes; half the cost of greenfield.",
                affects="The scope and the conversion waves.",
                by="Group finance committee",
            ),
        ),
    ),
}

GENERIC_ISSUES: tuple[IssueEntry, ...] = (
    IssueEntry(
        title="Test environment unavailable two days a week",
        description="Shared with another project; bookings clash.",
        severity="medium",
        priority=2,
    ),
    IssueEntry(
        title="Purchase order for licences still not raised",
        description="Procurement is waiting for a second quote.",
        severity="low",
        priority=3,
    ),
)

GENERIC_ASSUMPTIONS: tuple[AssumptionEntry, ...] = (
    AssumptionEntry(
        title="The current system stays supported until cutover",
        description="The vendor's support contract runs to the end of next year.",
    ),
    AssumptionEntry(
        title="Business users give two days a week during testing",
        description="Agreed in principle with the department heads.",
    ),
)

GENERIC_DECISIONS: tuple[DecisionEntry, ...] = (
    DecisionEntry(
        title="Standard processes first, customisation only with a business case",
        rationale="Lower cost of ownership and faster upgrades.",
        affects="Design workshops and the change request threshold.",
    ),
)
