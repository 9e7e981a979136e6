"""Signals: rules, identity and PII recognisers, the protected list, and how their evidence combines."""
