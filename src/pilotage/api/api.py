"""The NinjaAPI instance (stub, replaced by the API work)."""

from ninja import NinjaAPI

api = NinjaAPI(title="Pilotage API", version="1")
