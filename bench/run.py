"""`make bench`: every system on the same 10,000-comment mix, in one run; writes bench/results.json.

The mix is realistic traffic: 98 % benign (hard negatives included), 2 % positive,
drawn with a seed the training corpus does not use. Each system is measured in
its own process, so cold start and RSS are its own. Targets are compared as
ratios against peers measured in the same run, because this machine is noisy.

`python -m bench.run` measures every system; `python -m bench.run --only rules` (or a list of
system names) measures a group and updates only those entries of the results file, each entry
saying which run measured it, so ratios are only taken between entries of one run; `machines`
says what each run still cited measured on (files written before 2026-11-30 kept only the last
run's machine, so older runs may have none).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from bench.systems import SYSTEMS
from comments.models.export import cpuinfo, int8_instructions, int8_products_exact

OUT = Path("bench/results.json")
MIX = Path("bench/mix.tmp")
N, POSITIVE_SHARE, SEED = 10_000, 0.02, 2024
GROUPS = {"rules": ["rules_only", "normalize"]}  # a system and the peer its ratio is taken against
RATIOS = {"fused_vs_hf_pipeline": ("fused", "hf_pipeline"), "rules_only_vs_normalize": ("rules_only", "normalize")}


def make_mix() -> Path:
    """10,000 comments, 2 % positive, as JSONL."""
    import pandas as pd

    from comments.labels import LABELS
    from comments.synth.generate import generate

    df = generate(60_000, SEED)
    positive = df[list(LABELS)].any(axis=1)
    n_pos = int(N * POSITIVE_SHARE)
    parts = [df[~positive].sample(N - n_pos, random_state=SEED), df[positive].sample(n_pos, random_state=SEED)]
    mix = pd.concat(parts).sample(frac=1, random_state=SEED)
    mix[["id", "text"]].to_json(MIX, orient="records", lines=True, force_ascii=False)
    return MIX


def _pinned(core: int | None):
    """A preexec_fn that pins the child to one core (None: leave it on all of them)."""
    return None if core is None else (lambda: os.sched_setaffinity(0, {core}))


def measure(name: str, data: Path, core: int | None = None) -> dict:
    """Run bench.measure for one system in a fresh process, optionally pinned to one core."""
    env = dict(os.environ) | ({"OMP_NUM_THREADS": "1"} if core is not None else {})
    res = subprocess.run(
        [sys.executable, "-m", "bench.measure", name, str(data)],
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
        preexec_fn=_pinned(core),
    )
    if res.returncode != 0:
        return {"error": res.stderr.strip().splitlines()[-1] if res.stderr.strip() else f"exit {res.returncode}"}
    return json.loads(res.stdout.strip().splitlines()[-1])


def scaling(name: str, data: Path) -> dict:
    """Throughput of one process pinned to one core vs two processes, one per core, on halves of the data."""
    lines = data.read_text(encoding="utf-8").splitlines()
    halves = [data.with_suffix(f".half{i}") for i in range(2)]
    for i, h in enumerate(halves):
        h.write_text("\n".join(lines[i::2]) + "\n", encoding="utf-8")
    one = measure(name, data, core=0)
    env = dict(os.environ) | {"OMP_NUM_THREADS": "1"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.measure", name, str(h)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            preexec_fn=_pinned(i),
        )
        for i, h in enumerate(halves)
    ]
    outs = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    both = sum(o["comments_per_s"] for o in outs)
    return {
        "one_core_per_s": one.get("comments_per_s"),
        "two_cores_per_s": round(both, 1),
        "speedup": round(both / one["comments_per_s"], 2) if one.get("comments_per_s") else None,
    }


def machine() -> dict:
    """What the numbers were measured on."""
    return {
        "cpu": cpuinfo("model name") or platform.processor(),
        "cores": os.cpu_count(),
        "int8_instructions": int8_instructions(),
        "int8_products_exact": int8_products_exact(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def main(names: list[str]) -> None:
    """Measure the named systems (all by default) and write them into the results file."""
    data = make_mix()
    run = time.strftime("%Y-%m-%dT%H:%M:%S")
    old = json.loads(OUT.read_text(encoding="utf-8")) if names and OUT.exists() else {}
    measured = {}
    for name in names or list(SYSTEMS):
        print(f"measuring {name}...", file=sys.stderr)
        measured[name] = measure(name, data) | {"run": run}
    for name in ("rules_only", "fused"):
        if name in measured and "error" not in measured[name]:
            measured[name]["scaling"] = scaling(name, data)
    results = merge(old, measured, run, machine())
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


def merge(old: dict, measured: dict, run: str, where: dict) -> dict:
    """The results file after `run` (on machine `where`) measured `measured`: its entries replace the old
    ones, ratios are taken only between two of its own entries, and `machines` keeps each run still cited."""
    results = {"mix": {"n": N, "positive_share": POSITIVE_SHARE, "seed": SEED}}
    results["systems"] = old.get("systems", {}) | measured
    results["ratios"] = {k: v for k, v in old.get("ratios", {}).items() if k in RATIOS}
    for key, (a, b) in RATIOS.items():
        if a in measured and b in measured and "error" not in measured[a] and "error" not in measured[b]:
            results["ratios"][key] = {
                "value": round(measured[a]["comments_per_s"] / measured[b]["comments_per_s"], 3),
                "run": run,
            }
    cited = {entry["run"] for entry in (*results["systems"].values(), *results["ratios"].values())}
    machines = old.get("machines", {}) | {run: where}
    results["machines"] = {r: m for r, m in machines.items() if r in cited}
    return results


def _names(argv: list[str]) -> list[str]:
    """System names from the command line; `--only GROUP` names a group of them."""
    if argv[:1] == ["--only"]:
        if len(argv) != 2 or argv[1] not in GROUPS:
            raise SystemExit(f"usage: python -m bench.run [--only {'|'.join(GROUPS)}] [SYSTEM ...]")
        return GROUPS[argv[1]]
    if unknown := set(argv) - set(SYSTEMS):
        raise SystemExit(f"unknown system(s) {sorted(unknown)}; known: {sorted(SYSTEMS)}")
    return argv


if __name__ == "__main__":
    main(_names(sys.argv[1:]))
