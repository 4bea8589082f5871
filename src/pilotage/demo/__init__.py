"""The demo portfolio: deterministic, realistic data built through the services."""
