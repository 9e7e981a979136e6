"""Engine and sessions from settings; schema managed by Alembic (`migrate` runs it to head)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """One engine per URL; SQLite gets WAL, a busy timeout and enforced foreign keys."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(conn, _record):  # noqa: ANN001
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

    return engine


def migrate(url: str) -> None:
    """Bring the database at `url` to the newest schema."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("comments.store") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url)
    cfg.attributes["engine"] = get_engine(url)
    command.upgrade(cfg, "head")


@contextmanager
def session_scope(url: str, write: bool = False) -> Iterator[Session]:
    """A session that commits on success and rolls back on error.

    `write` is for a read-then-write transaction (check a row, then change it): on SQLite, which
    ignores `FOR UPDATE` and would start the transaction only at the first write, it begins with
    BEGIN IMMEDIATE, taking the database's write lock before the read (other writers wait up to the
    busy timeout; readers are not blocked under WAL). PostgreSQL locks the rows it selects `FOR UPDATE`.
    """
    session = sessionmaker(get_engine(url), expire_on_commit=False)()
    try:
        if write and session.get_bind().dialect.name == "sqlite":
            session.execute(text("BEGIN IMMEDIATE"))
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
