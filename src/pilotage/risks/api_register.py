"""Placeholder replaced by the register API."""

from ninja import Router

router = Router()
