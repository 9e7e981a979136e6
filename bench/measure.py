"""Measure one system in this process: `python -m bench.measure NAME DATA.jsonl [--workers N]`.

Prints one JSON object: cold start, batch throughput, single-comment p50/p99, peak RSS, and for the
fused pipeline the share of comments its gate sent to the transformer.
"""

from __future__ import annotations

import json
import resource
import sys
import time

STARTED = time.perf_counter()


def main() -> None:
    """Build the system, score the data in batches and one at a time, report."""
    import numpy as np

    from bench.systems import SYSTEMS

    name, data = sys.argv[1], sys.argv[2]
    texts = [json.loads(line)["text"] for line in open(data, encoding="utf-8")]
    score = SYSTEMS[name]()
    score(texts[:1])
    cold = time.perf_counter() - STARTED
    # Warm-up, one pass over 1,000 comments: rule patterns compile on first use, spaCy's vocabulary
    # and the per-character caches fill, as on a server that has been up for a minute.
    score(texts[:1000])
    t, ran = time.perf_counter(), []
    for i in range(0, len(texts), 256):
        scored = score(texts[i : i + 256])
        if name == "fused":
            ran += [r.transformer_ran for r in scored]
    batch_secs = time.perf_counter() - t
    singles = []
    for text in texts[:1000]:
        t = time.perf_counter()
        score([text])
        singles.append((time.perf_counter() - t) * 1000)
    print(
        json.dumps(
            {
                "comments_per_s": round(len(texts) / batch_secs, 1),
                "p50_ms": round(float(np.percentile(singles, 50)), 3),
                "p99_ms": round(float(np.percentile(singles, 99)), 3),
                "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "cold_start_s": round(cold, 2),
                "n": len(texts),
            }
            | ({"transformer_share": round(float(np.mean(ran)), 4)} if ran else {})
        )
    )


if __name__ == "__main__":
    main()
