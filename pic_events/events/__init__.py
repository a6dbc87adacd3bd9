"""Events: the annual meeting and its editions."""
