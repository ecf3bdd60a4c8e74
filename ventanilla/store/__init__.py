"""Persistence: SQLAlchemy schema, repository functions and Alembic migrations."""
