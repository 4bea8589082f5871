"""Domain errors raised by selectors and services, translated to 404/403/400 at the edges."""

from __future__ import annotations


class DomainError(Exception):
    """Base class of the errors that services and selectors raise on purpose."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(DomainError):
    """The object does not exist, or the user may not see it (the two are indistinguishable)."""


class ForbiddenError(DomainError):
    """The user may see the object but may not perform the action on it."""
