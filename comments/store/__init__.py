"""Persistence: SQLAlchemy 2 tables, one repository module, Alembic migrations."""
