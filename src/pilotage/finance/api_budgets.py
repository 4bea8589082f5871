"""API operations of finance: budgets."""

from ninja import Router

router = Router(tags=["finance"])
