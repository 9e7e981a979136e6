"""The Alembic migrations build exactly the tables the ORM declares, and 0004 keeps existing queue rows usable."""

from __future__ import annotations

from importlib import resources

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import text

from comments.store import repo
from comments.store.db import get_engine, migrate
from comments.store.tables import Base
from tests.api.conftest import pg_database  # noqa: F401 - the shared PostgreSQL database
from tests.api.fakes import review_item


def _config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("comments.store") / "migrations"))
    cfg.attributes["engine"] = get_engine(url)
    return cfg


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_when_migrated_to_head_then_the_schema_matches_the_tables(backend, tmp_path, request):
    url = f"sqlite:///{tmp_path}/m.db" if backend == "sqlite" else request.getfixturevalue("pg_database")
    migrate(url)
    with get_engine(url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_when_a_queue_from_before_revisions_is_migrated_then_its_items_take_revision_1_and_any_client(tmp_path):
    url = f"sqlite:///{tmp_path}/old.db"
    command.upgrade(_config(url), "0003")
    with get_engine(url).begin() as conn:
        conn.execute(
            text(
                "INSERT INTO review_items (id, text, masked_text, encrypted, decision, priority, scores, decisions,"
                " reasons, flagged, model_version, status, created_at) VALUES ('old', 'first', 'first', 0, 'review',"
                " 0.5, '{}', '{}', '[]', ',promotion,', 'm-0', 'queued', '2026-11-01 00:00:00')"
            )
        )
    migrate(url)
    old = repo.get_item(url, "old")
    assert (old.revision, old.client) == (1, None)
    assert repo.enqueue(url, [review_item(id="old", text="edited")], key_id="forum") == [True]
    row = repo.get_item(url, "old")
    assert (row.text, row.revision, row.client) == ("edited", 2, "forum")


def test_when_0005_and_0004_are_downgraded_on_sqlite_then_items_and_decisions_survive(tmp_path):
    url = f"sqlite:///{tmp_path}/down.db"
    migrate(url)
    repo.enqueue(url, [review_item(id="kept", text="first")], key_id="forum")
    repo.record_decision(url, "kept", "k", "remove", {"promotion": True}, "", None, 900)
    command.downgrade(_config(url), "0003")
    with get_engine(url).connect() as conn:
        items = conn.execute(text("SELECT count(*) FROM review_items")).scalar()
        decisions = conn.execute(text("SELECT count(*) FROM review_decisions")).scalar()
        columns = [r[1] for r in conn.execute(text("PRAGMA table_info(review_items)"))]
        decided = [r[1] for r in conn.execute(text("PRAGMA table_info(review_decisions)"))]
    assert (items, decisions) == (1, 1) and "revision" not in columns and "client" not in columns
    assert "revision" not in decided
    migrate(url)
    assert repo.get_item(url, "kept").revision == 1


def test_when_an_item_from_before_clients_is_retried_then_its_sender_owns_it(tmp_path):
    url = f"sqlite:///{tmp_path}/legacy.db"
    migrate(url)
    repo.enqueue(url, [review_item(id="old", text="same")], key_id="forum")
    with get_engine(url).begin() as conn:
        conn.execute(text("UPDATE review_items SET client = NULL"))
    assert repo.enqueue(url, [review_item(id="old", text="same")], key_id="forum") == [True]
    assert repo.get_item(url, "old").client == "forum"
