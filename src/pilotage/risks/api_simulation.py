"""Placeholder replaced by the simulation API."""

from ninja import Router

router = Router()
