"""The model bundle: a directory of data files plus `manifest.json` with the sha256 of each.

`load_bundle` checks every hash before anything is loaded, so a tampered or truncated file is
refused. Imports no torch or transformers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from comments.errors import ModelLoadError
from comments.gloss import glossaries_sha256
from comments.labels import LABELS
from comments.models.baseline import TfidfBaseline
from comments.models.calibrate import Calibrator
from comments.models.onnx_runtime import OnnxTransformer

MANIFEST = "manifest.json"
MODEL = "model.onnx"
TOKENIZER = "tokenizer.json"
BASELINE = "baseline.npz"
CALIBRATION = "calibration.json"
THRESHOLDS = "thresholds.json"
FUSION = "fusion.json"  # the combiner and the served thresholds, written by `comments fuse`
REQUIRED = (MODEL, TOKENIZER, BASELINE, CALIBRATION, THRESHOLDS)
ACTIONS = ("review", "remove")


@dataclass
class Bundle:
    """A loaded, verified model bundle."""

    path: Path
    version: str
    labels: tuple[str, ...]
    thresholds: dict[str, dict[str, float]]
    transformer: OnnxTransformer
    baseline: TfidfBaseline
    calibrator: Calibrator
    manifest: dict


def sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_manifest(directory: Path, version: str, extra: dict | None = None) -> Path:
    """Hash every file in `directory` (except the manifest) into `manifest.json`."""
    directory = Path(directory)
    files = {p.name: sha256(p) for p in sorted(directory.iterdir()) if p.is_file() and p.name != MANIFEST}
    manifest = {
        "version": version,
        "labels": list(LABELS),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": files,
        **(extra or {}),
    }
    path = directory / MANIFEST
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return path


def rehash_manifest(directory: Path, version: str | None = None) -> Path:
    """Re-hash `directory`'s files into its manifest after one was added or rewritten; every other
    field (`created` too) stays, and the version too unless `version` renames the bundle."""
    old = json.loads((Path(directory) / MANIFEST).read_text(encoding="utf-8"))
    kept = {k: v for k, v in old.items() if k not in ("version", "labels", "files")}
    return write_manifest(directory, version or old["version"], kept)


def verify(directory: Path) -> dict:
    """Check `manifest.json` and the sha256 of every file it lists; returns the manifest."""
    directory = Path(directory)
    hint = "run `comments train` or point COMMENTS_MODEL_DIR at a complete bundle"
    if not directory.is_dir():
        raise ModelLoadError(f"model directory {directory} does not exist; {hint}")
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
        files = manifest["files"]
    except FileNotFoundError:
        raise ModelLoadError(f"model directory {directory} has no {MANIFEST}; {hint}") from None
    except (ValueError, KeyError, TypeError):
        raise ModelLoadError(f"{directory / MANIFEST} is not a valid manifest; {hint}") from None
    if tuple(manifest.get("labels", ())) != LABELS:
        raise ModelLoadError(f"{directory} was built for labels {manifest.get('labels')}, not {list(LABELS)}; {hint}")
    for name in REQUIRED:
        if name not in files:
            raise ModelLoadError(f"{directory / MANIFEST} does not list {name}; {hint}")
    for name, digest in files.items():
        path = directory / name
        if Path(name).name != name:
            raise ModelLoadError(f"{directory / MANIFEST} lists {name!r}, which is not a plain file name; {hint}")
        if not path.is_file():
            raise ModelLoadError(f"{path} is missing; restore the bundle or {hint}")
        if sha256(path) != digest:
            raise ModelLoadError(
                f"{path} does not match its sha256 in {MANIFEST} (changed or corrupted); restore the bundle or {hint}"
            )
    # the transformer reads comments outside English through the glossaries it was trained with
    recorded = manifest.get("glossaries")  # absent: a bundle from before the glossaries
    if recorded is not None and recorded != glossaries_sha256():
        raise ModelLoadError(
            f"{directory} was trained with other glossaries than comments/glossaries/ holds; restore those or {hint}"
        )
    return manifest


def load_thresholds(path: Path) -> dict[str, dict[str, float]]:
    """Read and check a thresholds file: every label with 0 <= review <= remove <= 1."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        out = {label: {a: float(data[label][a]) for a in ACTIONS} for label in LABELS}
    except FileNotFoundError:
        raise ModelLoadError(f"thresholds file {path} does not exist; fix the path or remove the override") from None
    except OSError as exc:
        raise ModelLoadError(f"thresholds file {path} cannot be read ({exc.strerror}); fix the path") from None
    except (ValueError, KeyError, TypeError):
        raise ModelLoadError(f"{path} must map each of {list(LABELS)} to numbers `review` and `remove`") from None
    for label, t in out.items():
        if not 0.0 <= t["review"] <= t["remove"] <= 1.0:
            raise ModelLoadError(f"{path}: {label} needs 0 <= review <= remove <= 1, got {t}; fix the file")
    return out


def load_fusion(bundle: Bundle) -> dict:
    """The bundle's fusion.json, which must be listed in its (already checked) manifest."""
    if FUSION not in bundle.manifest["files"]:
        raise ModelLoadError(
            f"{bundle.path} has no {FUSION} in its manifest; "
            f"run `comments fuse --model {bundle.path}` to fit the combiner"
        )
    return json.loads((bundle.path / FUSION).read_text(encoding="utf-8"))


def load_bundle(path: Path, thresholds_path: Path | None = None) -> Bundle:
    """Verify and load a bundle; `thresholds_path` replaces the bundle's thresholds.json if given."""
    path = Path(path)
    manifest = verify(path)
    return Bundle(
        path=path,
        version=str(manifest["version"]),
        labels=LABELS,
        thresholds=load_thresholds(thresholds_path or path / THRESHOLDS),
        transformer=OnnxTransformer(path / MODEL, path / TOKENIZER, max_length=manifest.get("max_length", 128)),
        baseline=TfidfBaseline.load(path / BASELINE),
        calibrator=Calibrator.load(path / CALIBRATION),
        manifest=manifest,
    )
