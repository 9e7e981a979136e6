"""Learning fixtures: a migrated database of each backend (the API's PostgreSQL database), a CLI runner."""

from __future__ import annotations

import pytest
import typer
from sqlalchemy import text
from typer.testing import CliRunner

from comments.store.db import get_engine, migrate
from tests.api.conftest import pg_database, sqlite_url  # noqa: F401 - shared fixtures

TABLES = "score_log, audit_log, review_decisions, review_items, api_keys, protected_identities"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """A migrated, empty database of each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/learn.db"
        migrate(url)
        return url
    url = request.getfixturevalue("pg_database")
    with get_engine(url).begin() as conn:
        conn.execute(text(f"TRUNCATE {TABLES}"))
    return url


@pytest.fixture()
def cli(db_url, monkeypatch):
    """Invoke the learning commands against `db_url`: `cli(args) -> Result` (stdout and stderr apart)."""
    from comments.learning_cli import register
    from comments.settings import get_settings

    monkeypatch.setenv("COMMENTS_DATABASE_URL", db_url)
    get_settings.cache_clear()
    app = typer.Typer()
    register(app)
    runner = CliRunner()
    yield lambda args: runner.invoke(app, [str(a) for a in args])
    get_settings.cache_clear()
