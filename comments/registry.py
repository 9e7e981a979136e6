"""The model registry: bundles in `models/<version>/` with `metadata.json`, `models/default`, and a history.

`promote` copies a bundle over `models/default` (copy beside it, then rename) and appends to
`models/HISTORY.jsonl`; `rollback` restores the default before the latest promotion still in force.
A bundle without `metadata.json` is a legacy bundle: it lists and promotes, with no stored metrics.
Running API processes load `models/default` at start, so they serve a new default only after a restart.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path

from comments import gates as gate_lib
from comments.errors import BadInputError, ConflictError, NotFoundError
from comments.models.bundle import MANIFEST, rehash_manifest, verify

log = logging.getLogger(__name__)
METADATA = "metadata.json"
HISTORY = "HISTORY.jsonl"
DEFAULT = "default"


def now() -> str:
    """UTC time as ISO 8601, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def manifest_sha256(directory: Path) -> str:
    """The identity of a bundle: sha256 of its manifest, which lists the sha256 of every file."""
    return hashlib.sha256((Path(directory) / MANIFEST).read_bytes()).hexdigest()


def code_version() -> str:
    """`git rev-parse HEAD` of this package's checkout, `-dirty` if tracked files changed; else `unknown`."""
    root = Path(__file__).resolve().parents[1]
    try:
        run = [
            subprocess.run(c, cwd=root, capture_output=True, text=True, check=True, timeout=30).stdout.strip()
            for c in (["git", "rev-parse", "HEAD"], ["git", "status", "--porcelain", "--untracked-files=no"])
        ]
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return run[0] + ("-dirty" if run[1] else "")


def read_metadata(directory: Path) -> dict:
    """The bundle's metadata.json, or a legacy record built from its manifest."""
    directory = Path(directory)
    path = directory / METADATA
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    return {
        "version": manifest["version"],
        "created": manifest.get("created"),
        "parent": None,
        "legacy": True,
        "code_version": "unknown",
        "data": {},
        "metrics": {},
        "checkpoint": None,
    }


def ensure_metadata(directory: Path, checkpoint_dir: Path | None = None) -> dict:
    """Give a legacy bundle a metadata.json (outside its manifest); returns the metadata."""
    meta = read_metadata(directory)
    if meta.get("legacy") and not (Path(directory) / METADATA).exists():
        ckpt = Path(checkpoint_dir or "var/checkpoints") / meta["version"]
        meta["checkpoint"] = str(ckpt) if (ckpt / "config.json").exists() else None
        (Path(directory) / METADATA).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def seal(directory: Path, metadata: dict) -> None:
    """Write metadata.json into a new bundle and re-hash the manifest, so the metrics cannot be edited."""
    (directory / METADATA).write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    rehash_manifest(directory)


def bundles(models_dir: Path) -> list[Path]:
    """Every bundle directory under `models_dir` (default included), sorted by name."""
    return sorted(p for p in Path(models_dir).iterdir() if (p / MANIFEST).is_file() and not p.name.startswith("."))


def listing(models_dir: Path) -> list[dict]:
    """One row per bundle: name, version, created, parent, macro-F1 per gate, whether it is the default."""
    default = Path(models_dir) / DEFAULT
    current = manifest_sha256(default) if (default / MANIFEST).exists() else None
    rows = []
    for d in bundles(models_dir):
        meta = read_metadata(d)
        gates = (meta.get("metrics") or {}).get("gates", {})
        rows.append(
            {
                "name": d.name,
                "version": meta["version"],
                "created": meta.get("created"),
                "parent": meta.get("parent"),
                "legacy": bool(meta.get("legacy")),
                "macro_f1": {g: m["candidate"]["macro_f1"] for g, m in gates.items()},
                "default": manifest_sha256(d) == current,
            }
        )
    return rows


def history(models_dir: Path) -> list[dict]:
    """Every promote and rollback, oldest first."""
    path = Path(models_dir) / HISTORY
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _append(models_dir: Path, entry: dict) -> None:
    with (Path(models_dir) / HISTORY).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry) + "\n")


def _install(source: Path, models_dir: Path) -> None:
    """Copy `source` to a temporary folder beside models/default, verify it, then swap it in by renames."""
    default, tag = Path(models_dir) / DEFAULT, uuid.uuid4().hex[:8]
    fresh, old = Path(models_dir) / f".default-new-{tag}", Path(models_dir) / f".default-old-{tag}"
    try:
        shutil.copytree(source, fresh)
        verify(fresh)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    if default.exists():
        default.rename(old)
    fresh.rename(default)
    shutil.rmtree(old, ignore_errors=True)


def _archive(models_dir: Path) -> str:
    """The name of a bundle directory holding the current default, copying it there if none does."""
    default = Path(models_dir) / DEFAULT
    sha = manifest_sha256(default)
    for d in bundles(models_dir):
        if d.name != DEFAULT and manifest_sha256(d) == sha:
            return d.name
    name = json.loads((default / MANIFEST).read_text(encoding="utf-8"))["version"]
    if (Path(models_dir) / name).exists():
        name = f"{name}-{sha[:8]}"
    shutil.copytree(default, Path(models_dir) / name)
    log.info("kept the current default as %s", Path(models_dir) / name)
    return name


def gate_metrics(candidate: Path, models_dir: Path, corpus: Path, challenge: Path, max_rows: int | None = None):
    """Gate metrics of `candidate` against the current default: stored ones if measured against it, else new."""
    default = Path(models_dir) / DEFAULT
    stored = read_metadata(candidate).get("metrics") or {}
    if stored.get("compared_with", {}).get("manifest_sha256") == manifest_sha256(default):
        return stored["gates"]
    log.info("stored gate metrics were measured against another default; measuring again")
    holdout = read_metadata(candidate).get("holdout")
    gates = gate_lib.load_gates(corpus, challenge, Path(holdout) if holdout else None, max_rows)
    return gate_lib.compare(candidate, default, gates)[0]


def promote(
    models_dir: Path,
    version: str,
    force: bool = False,
    reason: str | None = None,
    corpus: Path = Path("data/corpus.parquet"),
    challenge: Path = Path("data/challenge.jsonl"),
    max_gate_rows: int | None = None,
) -> dict:
    """Make `models/<version>` the default if the promotion rule passes (or `force` with a reason)."""
    models_dir = Path(models_dir)
    if force and not (reason or "").strip():
        raise BadInputError("--force needs --reason TEXT; the reason is recorded in models/HISTORY.jsonl")
    candidate = models_dir / version
    if version == DEFAULT or Path(version).name != version or not (candidate / MANIFEST).is_file():
        known = [d.name for d in bundles(models_dir) if d.name != DEFAULT]
        raise NotFoundError(f"no bundle {candidate}; known versions: {known or 'none'} (`comments models list`)")
    verify(candidate)
    default = models_dir / DEFAULT
    ok, reasons, previous = True, [], None
    if (default / MANIFEST).is_file():
        if manifest_sha256(default) == manifest_sha256(candidate):
            raise ConflictError(f"{version} is already the default")
        ok, reasons = gate_lib.verdict(gate_metrics(candidate, models_dir, corpus, challenge, max_gate_rows))
        if not ok and not force:
            raise ConflictError(
                f"refusing to promote {version}: {'; '.join(reasons)}. Pass --force --reason TEXT to promote anyway"
            )
        previous = _archive(models_dir)
    _install(candidate, models_dir)
    entry = {"at": now(), "action": "promote", "version": version, "previous": previous, "forced": force}
    entry |= {"reason": reason, "rule_passed": ok, "rule_failures": reasons}
    _append(models_dir, entry)
    return entry


def rollback(models_dir: Path) -> dict:
    """Restore the default that the latest promotion still in force replaced."""
    models_dir = Path(models_dir)
    stack: list[dict] = []
    for entry in history(models_dir):
        if entry["action"] == "promote":
            stack.append(entry)
        elif stack:
            stack.pop()
    if not stack:
        raise ConflictError(f"{models_dir / HISTORY} records no promotion to roll back")
    last = stack[-1]
    if last["previous"] is None:
        raise ConflictError(f"{last['version']} was promoted when there was no default; nothing to restore")
    source = models_dir / last["previous"]
    if not (source / MANIFEST).is_file():
        raise NotFoundError(f"{source} no longer exists; restore it from a backup or promote another version")
    _install(source, models_dir)
    entry = {"at": now(), "action": "rollback", "version": last["previous"], "previous": last["version"]}
    entry |= {"forced": False, "reason": f"rollback of {last['version']}"}
    _append(models_dir, entry)
    return entry
