"""Pages of finance: budgets, costs, timesheets, contracts, invoices and earned value."""

from pilotage.finance import urls_budgets, urls_contracts, urls_evm, urls_timesheets

app_name = "finance"

urlpatterns = [
    *urls_budgets.urlpatterns,
    *urls_timesheets.urlpatterns,
    *urls_contracts.urlpatterns,
    *urls_evm.urlpatterns,
]
