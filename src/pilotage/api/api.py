"""The API mounted at /api/v1/: authentication, the error envelope and each app's router."""

from __future__ import annotations

from ninja import Router

from pilotage.accounts.api import router as accounts_router
from pilotage.api.auth import BearerTokenAuth, SessionAuth
from pilotage.api.errors import EnvelopeNinjaAPI, register_error_handlers
from pilotage.collaboration.api import router as collaboration_router
from pilotage.core.api import ApiRequest
from pilotage.core.errors import NotFoundError
from pilotage.exchange.api import router as exchange_router
from pilotage.finance.api import router as finance_router
from pilotage.planning.api import router as planning_router
from pilotage.portfolio.api import router as portfolio_router
from pilotage.resources.api import router as resources_router
from pilotage.risks.api import router as risks_router

DESCRIPTION = """\
The REST API of Pilotage: portfolios, programmes, projects, strategic objectives, users and
their roles; project plans (tasks, dependencies, calendars, baselines), their schedule and its
health check; resources, the organisation (departments, teams, roles, skills), assignments,
role demand, demand against capacity and resource leveling; project meetings; imports and
exports.

**Plan dates** are local wall-clock date-times without a time zone, as Microsoft Project writes
them (`"2026-03-02T08:00:00"`). Every write to a plan schedules the project again before it
answers; a plan that cannot be scheduled (a cycle, a calendar without working time) is refused
with a 422 that names the tasks, and nothing is saved.

**Meeting times**, unlike plan dates, are moments: send them with their offset
(`"2026-03-02T10:00:00+01:00"`); a time without one is refused.

**Authentication.** Send `Authorization: Bearer <token>` (create a token with
`pilotage token create USERNAME` or on the *API tokens* page), or use the session of the web
pages (then unsafe methods need the `X-CSRFToken` header). A token acts as its user, with that
user's permissions.

**Lists** take `limit` (default 50, at most 500) and `offset`, and answer
`{"count", "limit", "offset", "items"}`.

**Errors** all have the shape
`{"error": {"status", "code", "message", "fields"}}`; objects the caller may not see are
reported as not found.
"""

TAGS = [
    {"name": "portfolios", "description": "Sets of programmes and projects managed together."},
    {"name": "programmes", "description": "Groups of related projects inside a portfolio."},
    {"name": "projects", "description": "Projects, their history and their past states."},
    {"name": "objectives", "description": "Strategic objectives that projects serve."},
    {"name": "users", "description": "The caller, and user administration."},
    {"name": "memberships", "description": "Roles held by users on a scope."},
    {"name": "plans", "description": "A project's schedule settings, recalculation and health."},
    {"name": "tasks", "description": "The rows of a plan: WBS, durations, constraints, progress."},
    {"name": "dependencies", "description": "Links between tasks, also across projects."},
    {"name": "calendars", "description": "Working weeks, holidays and exceptions."},
    {"name": "baselines", "description": "Saved copies of a plan's dates to measure slippage."},
    {
        "name": "imports",
        "description": "Files from other tools: upload, preview, map columns, then apply.",
    },
    {
        "name": "resources",
        "description": "People, role placeholders, equipment: capacity, rates, skills, load.",
    },
    {"name": "organisation", "description": "Departments, teams, job roles and skills."},
    {"name": "assignments", "description": "Resources on tasks, with units and work."},
    {"name": "demand", "description": "A project's demand by role and month, before its plan."},
    {"name": "capacity", "description": "Demand against capacity, its cells and conflicts."},
    {
        "name": "leveling",
        "description": "Resource leveling across projects: preview, then accept or discard.",
    },
    {"name": "risks", "description": "Risk registers, scales, response actions and heat maps."},
    {
        "name": "raid",
        "description": "Issues, assumptions, dependencies, decisions and change requests.",
    },
    {
        "name": "simulations",
        "description": "Three-point estimates and Monte Carlo runs of schedules and costs.",
    },
    {
        "name": "meetings",
        "description": "Project meetings: invitations, cancellations, minutes, calendar files.",
    },
]

api = EnvelopeNinjaAPI(
    title="Pilotage API",
    version="1",
    description=DESCRIPTION,
    auth=[BearerTokenAuth(), SessionAuth()],
    urls_namespace="api",
    openapi_extra={"tags": TAGS},
)
register_error_handlers(api)

api.add_router("", portfolio_router)
api.add_router("", planning_router)
api.add_router("", exchange_router)
api.add_router("", accounts_router)
api.add_router("", resources_router)
api.add_router("", finance_router)
api.add_router("", risks_router)
api.add_router("", collaboration_router)

# Registered last, so that it only catches the paths no operation claims.
unknown_paths = Router()


@unknown_paths.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"],
    "/{path:path}",
    auth=None,
    include_in_schema=False,
)
def unknown_path(request: ApiRequest, path: str) -> None:
    raise NotFoundError()


api.add_router("", unknown_paths)
