"""Users, roles, log-in, password reset and API tokens."""
