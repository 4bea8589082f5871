"""API operations of finance: timesheets."""

from ninja import Router

router = Router(tags=["finance"])
