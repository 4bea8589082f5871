"""API operations of finance: contracts."""

from ninja import Router

router = Router(tags=["finance"])
