"""Users, roles, memberships and API tokens, and the one permission module."""
