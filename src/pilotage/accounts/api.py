"""REST operations on the caller, users and memberships (mounted under /api/v1/)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ninja import Field, Query, Router, Schema, Status

from pilotage.accounts import selectors, services
from pilotage.accounts.models import Role
from pilotage.accounts.permissions import Action, require_organisation
from pilotage.core.api import (
    ApiRequest,
    HistoryEntryOut,
    InputSchema,
    Page,
    PageParams,
    Ref,
    history_page,
    paginate,
    patch_schema,
    resolve_references,
    responses,
)

router = Router()


# Schemas ------------------------------------------------------------------------------------


class UserRef(Schema):
    id: int
    username: str
    name: str = Field(..., description="Full name, or the username when there is none.")

    @staticmethod
    def resolve_name(user: Any) -> str:
        return str(user.get_full_name() or user.username)


class UserOut(UserRef):
    first_name: str
    last_name: str
    email: str
    is_active: bool
    is_superuser: bool
    language: str = Field(..., description="Preferred language code; empty: the browser's.")
    time_zone: str = Field(..., description="Preferred time zone; empty: the server's.")
    date_joined: dt.datetime
    last_login: dt.datetime | None


class _UserFields(InputSchema):
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    language: str = Field("", description="en, fr, or empty to follow the browser.")
    time_zone: str = Field("", description="An IANA time zone, or empty for the server's.")
    is_superuser: bool = False


class UserIn(_UserFields):
    username: str
    password: str | None = Field(
        None,
        description="Optional: without one the user cannot sign in to the pages until a "
        "password is set (API tokens still work).",
        json_schema_extra={"format": "password", "writeOnly": True},
    )


class _UserChange(_UserFields):
    is_active: bool = True


if TYPE_CHECKING:
    UserPatch = _UserChange
else:
    UserPatch = patch_schema(_UserChange, "UserPatch")


class MembershipOut(Schema):
    id: int
    user_id: int
    user: UserRef
    role: Role
    portfolio_id: int | None
    portfolio: Ref | None
    programme_id: int | None
    programme: Ref | None
    project_id: int | None
    project: Ref | None
    scope: str = Field(..., description="What the role applies to, as text.")
    created_at: dt.datetime

    @staticmethod
    def resolve_scope(membership: Any) -> str:
        return str(membership.scope_label())


class MembershipIn(InputSchema):
    user_id: int
    role: Role
    portfolio_id: int | None = None
    programme_id: int | None = None
    project_id: int | None = Field(
        None, description="Give at most one scope; none means the whole organisation."
    )


class MembershipFilters(Schema):
    user: int | None = Field(None, description="Only the memberships of this user id.")
    portfolio: int | None = Field(None, description="Only those held on this portfolio id.")
    programme: int | None = Field(None, description="Only those held on this programme id.")
    project: int | None = Field(None, description="Only those held on this project id.")


class UserFilters(Schema):
    search: str = Field("", description="Part of the username, a name or the e-mail address.")
    active: bool | None = Field(None, description="Only active (true) or inactive (false) users.")


class MeOut(Schema):
    user: UserOut
    memberships: list[MembershipOut]


def _user_getter(request: ApiRequest) -> Any:
    return lambda pk: selectors.user_get_for_user(pk, user=request.auth)


def _scope_getter(request: ApiRequest, kind: str) -> Any:
    return lambda pk: selectors.membership_scope_get_for_user(kind, pk, user=request.auth)


# The caller ---------------------------------------------------------------------------------


@router.get("/me", response=responses(200, MeOut), tags=["users"], summary="The caller")
def me(request: ApiRequest) -> dict[str, Any]:
    """The signed-in user (or the token's owner) and the roles they hold."""
    user = request.auth
    return {"user": user, "memberships": selectors.membership_list(user=user, member=user)}


# Users --------------------------------------------------------------------------------------


@router.get("/users", response=responses(200, Page[UserOut]), tags=["users"], summary="List users")
def user_list(
    request: ApiRequest, filters: Query[UserFilters], page: Query[PageParams]
) -> dict[str, Any]:
    """Everyone for users who hold a role (people are picked as managers and sponsors)."""
    return paginate(
        selectors.user_list(user=request.auth, search=filters.search, active=filters.active),
        page,
    )


@router.post("/users", response=responses(201, UserOut), tags=["users"], summary="Create a user")
def user_create(request: ApiRequest, payload: UserIn) -> Status[Any]:
    """Administrators only."""
    return Status(201, services.user_create(actor=request.auth, **payload.model_dump()))


@router.get(
    "/users/{user_id}", response=responses(200, UserOut), tags=["users"], summary="Get a user"
)
def user_detail(request: ApiRequest, user_id: int) -> Any:
    return selectors.user_get_for_user(user_id, user=request.auth)


@router.patch(
    "/users/{user_id}", response=responses(200, UserOut), tags=["users"], summary="Change a user"
)
def user_update(request: ApiRequest, user_id: int, payload: UserPatch) -> Any:
    """Administrators change anyone; users may change their own names, e-mail and preferences."""
    user = selectors.user_get_for_user(user_id, user=request.auth)
    return services.user_update(actor=request.auth, user=user, **payload.sent())


@router.delete(
    "/users/{user_id}",
    response=responses(204, None),
    tags=["users"],
    summary="Deactivate a user",
)
def user_deactivate(request: ApiRequest, user_id: int) -> Status[None]:
    """The account is kept (its history refers to it) but can no longer sign in or use tokens."""
    user = selectors.user_get_for_user(user_id, user=request.auth)
    services.user_update(actor=request.auth, user=user, is_active=False)
    return Status(204, None)


@router.get(
    "/users/{user_id}/history",
    response=responses(200, Page[HistoryEntryOut]),
    tags=["users"],
    summary="History of a user",
)
def user_history(request: ApiRequest, user_id: int, page: Query[PageParams]) -> dict[str, Any]:
    """One's own, or anyone's for administrators."""
    user = selectors.user_get_for_user(user_id, user=request.auth)
    if user.pk != request.auth.pk:
        require_organisation(request.auth, Action.ADMINISTER)
    return history_page(user, page)


# Memberships --------------------------------------------------------------------------------


@router.get(
    "/memberships",
    response=responses(200, Page[MembershipOut]),
    tags=["memberships"],
    summary="List memberships",
)
def membership_list(
    request: ApiRequest, filters: Query[MembershipFilters], page: Query[PageParams]
) -> dict[str, Any]:
    """The caller's own, and those held on portfolios, programmes and projects they may see."""
    return paginate(
        selectors.membership_list(
            user=request.auth,
            member=filters.user,
            portfolio=filters.portfolio,
            programme=filters.programme,
            project=filters.project,
        ),
        page,
    )


@router.post(
    "/memberships",
    response=responses(201, MembershipOut),
    tags=["memberships"],
    summary="Give a user a role",
)
def membership_create(request: ApiRequest, payload: MembershipIn) -> Status[Any]:
    """Needs the Manage members permission on the scope (Administer for organisation-wide
    roles and for the Administrator role)."""
    arguments = resolve_references(
        payload.sent(),
        {
            "user_id": ("user", _user_getter(request)),
            "portfolio_id": ("portfolio", _scope_getter(request, "portfolio")),
            "programme_id": ("programme", _scope_getter(request, "programme")),
            "project_id": ("project", _scope_getter(request, "project")),
        },
    )
    return Status(201, services.membership_create(actor=request.auth, **arguments))


@router.get(
    "/memberships/{membership_id}",
    response=responses(200, MembershipOut),
    tags=["memberships"],
    summary="Get a membership",
)
def membership_detail(request: ApiRequest, membership_id: int) -> Any:
    return selectors.membership_get_for_user(membership_id, user=request.auth)


@router.delete(
    "/memberships/{membership_id}",
    response=responses(204, None),
    tags=["memberships"],
    summary="Take a role away",
)
def membership_delete(request: ApiRequest, membership_id: int) -> Status[None]:
    membership = selectors.membership_get_for_user(membership_id, user=request.auth)
    services.membership_delete(actor=request.auth, membership=membership)
    return Status(204, None)
