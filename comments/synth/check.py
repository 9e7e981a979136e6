"""Check family files and print sample expansions: `python -m comments.synth.check FILE...`."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import yaml

from comments.errors import ConfigurationError
from comments.synth.grammar import expand, parse_families
from comments.synth.slots import SlotFiller


def main(paths: list[str]) -> int:
    """Validate each file; print two expansions of every template; return an exit code."""
    rng = random.Random(0)
    filler = SlotFiller(random.Random(1))
    status = 0
    for p in paths:
        try:
            families = parse_families(yaml.safe_load(Path(p).read_text(encoding="utf-8")), p)
        except (ConfigurationError, yaml.YAMLError) as exc:
            print(f"ERROR {exc}")
            status = 1
            continue
        for f in families:
            print(f"## {f.id} {sorted(f.labels) or f.kind}")
            for lang, templates in f.templates.items():
                for t in templates:
                    values = filler.values(lang, benign=not f.labels)
                    print(f"  [{lang}] {expand(t, values, rng, lang)}")
        print(f"OK {p}: {len(families)} families")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
