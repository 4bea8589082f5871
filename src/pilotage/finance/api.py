"""The finance part of the REST API: one router made of each area's operations."""

from ninja import Router

from pilotage.finance import api_budgets, api_contracts, api_evm, api_timesheets

router = Router()
router.add_router("", api_budgets.router)
router.add_router("", api_timesheets.router)
router.add_router("", api_contracts.router)
router.add_router("", api_evm.router)
