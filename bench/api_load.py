"""`python -m bench.api_load`: a bounded loopback load test of `POST /v1/score`; writes bench/api.json.

Starts `uvicorn serve:app` (the shipped model, SQLite under a temp dir) in its own process,
creates a score key, warms up, then sends a fixed number of single-score requests from a
fixed number of kept-alive connections, stopping early at a time limit. The client (bare
HTTP/1.1 on asyncio streams, about 0.2 ms of CPU a request) shares this machine's cores with
the server, so the numbers are a floor; the server's CPU per request is reported too.
`--fake` serves a stub pipeline instead, which measures the API's own overhead.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

OUT = Path("bench/api.json")
TARGET = {"throughput_rps": 500, "p99_ms": 50}
FALLBACK = ["who has the rest of that set", "lovely photo, congrats!", "reported this account to NCMEC"]


def fake_app():
    """The app with a stub pipeline (uvicorn factory): API overhead without the model."""
    from comments.api.main import create_app
    from comments.pipeline import Result
    from comments.settings import Settings

    class Stub:
        version = "stub"

        def score_batch(self, texts, run_all=False):
            s = {"victim_identification": 0.01, "promotion": 0.01, "safety_concern": 0.01}
            d = dict.fromkeys(s, "allow")
            return [Result("allow", 0.0, s, d, [], {}, t, "stub") for t in texts]

    return create_app(Settings(load_model=False), pipeline=Stub())


def texts() -> tuple[str, list[str]]:
    """The traffic mix of `make bench` (98 % benign) when built, else the challenge set, else a few fixed ones."""
    for path in (Path("bench/mix.tmp"), Path("data/challenge.jsonl")):
        if path.exists():
            lines = path.read_text(encoding="utf-8").splitlines()
            return str(path), [json.loads(line)["text"] for line in lines if line.strip()]
    return "fixed", FALLBACK


def start(port: int, db: str, fake: bool) -> subprocess.Popen:
    """The server, ready to answer."""
    env = {**os.environ, "COMMENTS_DATABASE_URL": f"sqlite:///{db}"}
    target = ["bench.api_load:fake_app", "--factory"] if fake else ["serve:app"]
    cmd = [sys.executable, "-m", "uvicorn", *target, "--port", str(port), "--log-level", "warning", "--no-access-log"]
    proc = subprocess.Popen(cmd, env=env)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}; is the model bundle in place (models/default)?")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("server not ready in 300 s")


async def _request(reader, writer, raw: bytes) -> int:
    """Send one pre-encoded request on a kept-alive connection; return the status."""
    writer.write(raw)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


def _encode(port: int, token: str, body: dict) -> bytes:
    data = json.dumps(body).encode()
    head = (
        f"POST /v1/score HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
    )
    return head.encode() + data


async def load(port: int, token: str, corpus: list[str], count: int, concurrency: int, seconds: float) -> dict:
    """Send up to `count` requests from `concurrency` kept-alive connections, for at most `seconds`.

    A bare HTTP/1.1 client on asyncio streams: it shares the two cores with the server, and a
    full client (httpx) spent about 3 ms of CPU per request, which capped the measurement itself.
    """
    latencies: list[float] = []
    errors = 0
    sent = 0
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal sent, errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while sent < count and time.perf_counter() < stop:
                n = sent
                sent += 1
                raw = _encode(port, token, {"id": f"b{n}", "text": corpus[n % len(corpus)], "enqueue": False})
                t0 = time.perf_counter()
                try:
                    ok = await asyncio.wait_for(_request(reader, writer, raw), 10) == 200
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                    ok = False
                latencies.append(time.perf_counter() - t0)
                errors += not ok
                if not ok:  # the connection is in an unknown state: start a fresh one
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return round(1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))], 2)

    return {
        "requests": len(latencies),
        "errors": errors,
        "duration_s": round(elapsed, 2),
        "throughput_rps": round(len(latencies) / elapsed, 1),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
    }


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(argv: list[str] | None = None) -> None:
    """Run the load test and write bench/api.json."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=5_000)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--fake", action="store_true", help="stub pipeline: measure the API alone")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)

    from comments.store import repo
    from comments.store.db import migrate

    tmp = tempfile.mkdtemp(prefix="api-load-")
    db = f"{tmp}/bench.db"
    migrate(f"sqlite:///{db}")
    token = repo.create_api_key(f"sqlite:///{db}", "bench", ["score"])[1]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = start(port, db, args.fake)
    base = f"http://127.0.0.1:{port}"
    try:
        version = httpx.get(f"{base}/readyz").json()["model_version"]
        source, corpus = texts()
        asyncio.run(load(port, token, corpus, min(200, args.count), args.concurrency, 30))  # warm-up
        server_cpu, client_cpu = cpu_seconds(server.pid), time.process_time()
        result = asyncio.run(load(port, token, corpus, args.count, args.concurrency, args.seconds))
        client_cpu = time.process_time() - client_cpu
        server_cpu = cpu_seconds(server.pid) - server_cpu if server_cpu is not None else None
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            stopped = f"exited {server.wait(30)} within 30 s of SIGTERM"
        except subprocess.TimeoutExpired:
            server.kill()
            stopped = "still running 30 s after SIGTERM: killed"
            print(f"server {stopped}", file=sys.stderr)
    report = {
        "server_shutdown": stopped,
        **result,
        # CPU per request is steadier than req/s on a shared, noisy machine.
        "server_cpu_ms_per_request": round(1000 * server_cpu / result["requests"], 3) if server_cpu else None,
        "client_cpu_ms_per_request": round(1000 * client_cpu / result["requests"], 3),
        "concurrency": args.concurrency,
        "count_limit": args.count,
        "seconds_limit": args.seconds,
        "pipeline": "stub" if args.fake else "shipped model",
        "model_version": version,
        "texts": source,
        "model_dir": None if args.fake else os.environ.get("COMMENTS_MODEL_DIR", "models/default"),
        "target": TARGET,
        "meets_target": result["throughput_rps"] >= TARGET["throughput_rps"] and result["p99_ms"] <= TARGET["p99_ms"],
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "load_average": os.getloadavg(),
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
