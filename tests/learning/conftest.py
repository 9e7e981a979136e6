"""Learning fixtures: a migrated database of each backend (the API's PostgreSQL database), a CLI runner."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from tests.api.conftest import db_url, pg_database, sqlite_url  # noqa: F401 - shared fixtures


@pytest.fixture()
def cli(db_url, monkeypatch):  # noqa: F811 - the imported fixture
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
