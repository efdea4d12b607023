"""API security: keys and roles, login sessions, rate limits, the audit log."""
