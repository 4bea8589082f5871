"""Placeholder replaced by the raid API."""

from ninja import Router

router = Router()
