"""Check family files, or files of `translations/`, and print sample expansions:
`python -m comments.synth.check FILE...`."""

from __future__ import annotations

import random
import sys
from dataclasses import replace
from pathlib import Path

import yaml

from comments.errors import ConfigurationError
from comments.synth.grammar import Family, load_families, parse_families, parse_translations, render
from comments.synth.slots import SlotFiller


def main(paths: list[str]) -> int:
    """Validate each file; print two expansions of every template; return an exit code."""
    rng = random.Random(0)
    filler = SlotFiller(random.Random(1))
    status = 0
    for p in paths:
        try:
            families = _families(Path(p))
        except (ConfigurationError, yaml.YAMLError, OSError) as exc:
            print(f"ERROR {exc}")
            status = 1
            continue
        for f in families:
            print(f"## {f.id} {sorted(f.labels) or f.kind}")
            for lang, templates in f.templates.items():
                for t in templates:
                    print(f"  [{lang}] {render(t, rng, filler, lang, benign=not f.labels)}")
        print(f"OK {p}: {len(families)} families")
    return status


def _families(path: Path) -> list[Family]:
    """The families a file defines, or for a file of `translations/` the families it adds templates to,
    with only those templates."""
    if path.parent.name == "translations":
        by_id = {f.id: f for f in load_families()}
        added = parse_translations(path, set(by_id))
        return [replace(by_id[fid], templates={path.stem: items}) for fid, items in added.items()]
    return parse_families(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
