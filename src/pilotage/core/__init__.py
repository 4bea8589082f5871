"""Shared Django machinery: audit and history, errors, htmx and API helpers. No domain models."""
