"""Pages of RAID: risk registers, issues, assumptions, dependencies, decisions, change
requests, and schedule risk simulations."""

from pilotage.risks import urls_raid, urls_register, urls_simulation

app_name = "risks"

urlpatterns = [
    *urls_register.urlpatterns,
    *urls_raid.urlpatterns,
    *urls_simulation.urlpatterns,
]
