"""Kill -9 the server during a stream of 2,000 decision writes: every acknowledged decision survives."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import text

from comments.store import repo
from comments.store.db import get_engine
from tests.api.fakes import review_item

ROOT = Path(__file__).resolve().parents[2]
WRITES = 2_000
KILL_AFTER = 600
ACTIONS = ("remove", "allow", "escalate")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, port: int, extra_env: dict | None = None) -> subprocess.Popen:
    """`uvicorn serve:app` in review-only mode (no model), waiting until it answers."""
    env = {**os.environ, "COMMENTS_DATABASE_URL": url, "COMMENTS_LOAD_MODEL": "false", **(extra_env or {})}
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "serve:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            time.sleep(0.1)
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read().decode()[-2000:]}")
    proc.kill()
    raise RuntimeError("server did not start in 60 s")


def _seed(url: str, n: int) -> None:
    rows = [review_item(id=f"k{i}") for i in range(n)]
    repo.enqueue(url, rows)


def test_when_the_server_is_killed_mid_stream_then_every_acknowledged_decision_survives(db_url):
    _seed(db_url, WRITES)
    token = repo.create_api_key(db_url, "writer", ["review"])[1]
    port = _free_port()
    server = start_server(db_url, port)
    todo: queue.Queue[int] = queue.Queue()
    for i in range(WRITES):
        todo.put(i)
    acked: dict[str, str] = {}
    lock, done = threading.Lock(), threading.Event()

    def writer() -> None:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", timeout=5, headers={"Authorization": f"Bearer {token}"}
        ) as client:
            while not done.is_set():
                try:
                    i = todo.get(timeout=0.2)
                except queue.Empty:
                    continue
                action = ACTIONS[i % 3]
                try:
                    r = client.post(
                        f"/v1/items/k{i}/decision",
                        json={"action": action, "labels": {"promotion": action == "remove"}, "note": ""},
                        headers={"Idempotency-Key": f"d-{i}"},
                    )
                    ok = r.status_code in (200, 201)
                except httpx.TransportError:
                    ok = False
                if ok:
                    with lock:
                        acked[f"k{i}"] = action
                else:
                    todo.put(i)  # retried with the same key, so a write that landed unacknowledged is not doubled
                    time.sleep(0.05)
                todo.task_done()

    threads = [threading.Thread(target=writer, daemon=True) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        while len(acked) < KILL_AFTER:
            time.sleep(0.01)
        server.send_signal(signal.SIGKILL)
        server.wait()
        with lock:
            before_kill = dict(acked)
        server = start_server(db_url, port)
        deadline = time.monotonic() + 180
        while len(acked) < WRITES and time.monotonic() < deadline:
            time.sleep(0.05)
        # The restarted server itself reports decisions acknowledged by the killed one.
        sample = sorted(before_kill)[:: max(1, len(before_kill) // 25)]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}) as c:
            served = {k: c.get(f"/v1/items/{k}").json()["review_action"] for k in sample}
        assert served == {k: before_kill[k] for k in sample}
    finally:
        done.set()
        for t in threads:
            t.join()
        server.send_signal(signal.SIGKILL)
        server.wait()

    assert len(before_kill) >= KILL_AFTER and len(acked) == WRITES
    with get_engine(db_url).connect() as conn:
        stored = dict(conn.execute(text("SELECT item_id, action FROM review_decisions")).all())
        total = conn.execute(text("SELECT count(*) FROM review_decisions")).scalar()
    missing = sorted(k for k, a in acked.items() if stored.get(k) != a)
    _record(db_url, len(before_kill), len(acked), total, len(missing))
    assert total == WRITES  # retries did not double anything
    assert missing == []


def _record(url: str, acked_before_kill: int, acked: int, stored: int, missing: int) -> None:
    """Leave the numbers under reports/api/ for the run's summary."""
    import json

    backend = get_engine(url).dialect.name
    out = ROOT / "reports" / "api" / f"durability_{backend}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "backend": backend,
                "writes": WRITES,
                "acked_before_kill": acked_before_kill,
                "acked_total": acked,
                "stored": stored,
                "acked_missing": missing,
            }
        )
        + "\n"
    )
