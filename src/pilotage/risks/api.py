"""The RAID part of the REST API: one router made of each area's operations."""

from ninja import Router

from pilotage.risks import api_raid, api_register, api_simulation

router = Router()
router.add_router("", api_register.router)
router.add_router("", api_raid.router)
router.add_router("", api_simulation.router)
