"""API operations of finance: evm."""

from ninja import Router

router = Router(tags=["finance"])
