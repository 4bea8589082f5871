"""The REST API: mounts each app's router under /api/v1/ with one auth and error envelope."""
