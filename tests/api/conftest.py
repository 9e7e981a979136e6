"""API fixtures: a fresh database per test (SQLite file, or a PostgreSQL database made for this run), keys, a client."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from comments.settings import Settings
from comments.store import repo
from comments.store.db import get_engine, migrate
from tests.api.fakes import FakePipeline

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def _pg_admin():
    import psycopg

    return psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True)


@pytest.fixture(scope="session")
def pg_database():
    """A uniquely named database on the local server, migrated once and dropped after the run."""
    try:
        admin = _pg_admin()
    except Exception:  # noqa: BLE001
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
    name = f"comments_api_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = f"{PG_SERVER}/{name}"
    migrate(url)
    yield url
    get_engine(url).dispose()
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


TABLES = "score_log, audit_log, review_decisions, review_items, api_keys, protected_identities"


def _truncate(url: str) -> None:
    from sqlalchemy import text

    with get_engine(url).begin() as conn:
        conn.execute(
            text("TRUNCATE score_log, audit_log, review_decisions, review_items, api_keys, protected_identities")
        )


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """A migrated, empty database of each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/api.db"
        migrate(url)
        return url
    url = request.getfixturevalue("pg_database")
    _truncate(url)
    return url


@pytest.fixture()
def sqlite_url(tmp_path):
    """A migrated SQLite database only, for tests that do not depend on the backend."""
    url = f"sqlite:///{tmp_path}/api.db"
    migrate(url)
    return url


def make_settings(url: str, **extra) -> Settings:
    """Settings for a test app: no model loading, no .env."""
    return Settings(_env_file=None, database_url=url, load_model=False, **extra)


@pytest.fixture()
def keys(db_url):
    """Tokens by name: score, review, admin, all."""
    return _keys(db_url)


def _keys(url: str) -> dict[str, str]:
    made = {s: repo.create_api_key(url, s, [s])[1] for s in ("score", "review", "admin")}
    made["all"] = repo.create_api_key(url, "all", ["score", "review", "admin"])[1]
    return made


def auth(token: str) -> dict[str, str]:
    """The Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture()
def client(db_url):
    """A client of an app with the fake pipeline, on `db_url`."""
    from comments.api.main import create_app

    with TestClient(create_app(make_settings(db_url), pipeline=FakePipeline())) as c:
        yield c


@pytest.fixture()
def lite_client(sqlite_url):
    """A client on SQLite only, with its keys as `lite_client.keys`."""
    from comments.api.main import create_app

    with TestClient(create_app(make_settings(sqlite_url), pipeline=FakePipeline())) as c:
        c.keys = _keys(sqlite_url)
        c.url = sqlite_url
        yield c


@pytest.fixture()
def live_server(sqlite_url):
    """A real uvicorn server in a thread (fake pipeline, SQLite); yields (base_url, database url)."""
    import socket
    import threading
    import time

    import uvicorn

    from comments.api.main import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(make_settings(sqlite_url), pipeline=FakePipeline())
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", sqlite_url
    server.should_exit = True
    thread.join(10)
