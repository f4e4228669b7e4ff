"""What a new text costs the default (cached) embedder, against the same embedder without a cache.

    .venv/bin/python benchmarks/bench_embedding_cache.py [--n 40]

A text never seen before is looked up, encoded and stored; ``calibrate()`` times requests that
way (inside ``cache_misses()``). The store used to be a rollback-journal commit, an fsync per
new text that cost more than encoding it; the cache now writes a write-ahead log. Printed:

- one new text, embedded with the cache (lookup + encode + store) vs with ``cache=False``
  (encode only): the ratio is what the cache adds to a new request;
- the store alone, one row per commit, in the cache's mode (WAL) vs the old rollback journal,
  on the cache's own disk (a temporary folder beside it: /tmp may be memory, where fsync is free).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import numpy as np

from routerlab.config import embeddings_cache_dir
from routerlab.embeddings import DIM, Embedder, EmbeddingCache


def medians_s(fns: list[Callable[[str], object]], n: int) -> list[float]:
    """Median seconds of each of ``fns`` over ``n`` texts never seen before, taken in turns
    (so a load change on a shared machine hits every one alike)."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(n):
        for fn, out in zip(fns, times, strict=True):
            text = f"Fix the off-by-one error in paginate() ({uuid.uuid4()})"
            t = time.perf_counter()
            fn(text)
            out.append(time.perf_counter() - t)
    return [statistics.median(t) for t in times]


def rollback_journal_store(path: Path) -> Callable[[str], object]:
    """The store as it was: the default journal, synchronous=FULL, one commit per text."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE IF NOT EXISTS emb (k TEXT PRIMARY KEY, v BLOB NOT NULL)")
    row = np.zeros(DIM, dtype=np.float32).tobytes()

    def store(text: str) -> None:
        with conn:
            conn.execute("INSERT OR REPLACE INTO emb (k, v) VALUES (?, ?)", (text, row))

    return store


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=40, help="new texts per measurement")
    args = ap.parse_args()
    embeddings_cache_dir().mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=embeddings_cache_dir(), prefix=".bench-") as tmp:
        cache = EmbeddingCache(Path(tmp) / "wal.sqlite")
        cached, plain = Embedder(threads=1, cache=cache), Embedder(threads=1, cache=False)
        cached.embed("warm-up"), plain.embed("warm-up")  # loading the model is not per text
        with_cache, without = medians_s([cached.embed, plain.embed], args.n)
        wal, old = medians_s([lambda t: cache.put_many([(cache.key(t), np.zeros(DIM, dtype=np.float32))]),
                              rollback_journal_store(Path(tmp) / "journal.sqlite")], args.n)
        cache.close()
    print(f"one new text, median of {args.n} (1 ONNX thread)")
    print(f"  Embedder(cache=False), encode only (baseline): {without * 1e3:8.2f} ms")
    print(f"  Embedder() lookup + encode + store:            {with_cache * 1e3:8.2f} ms  ({with_cache / without:.2f}x baseline)")
    print("store alone, one row per commit, on the cache's disk")
    print(f"  rollback journal, synchronous=FULL (before):   {old * 1e3:8.3f} ms")
    print(f"  write-ahead log, synchronous=NORMAL (now):     {wal * 1e3:8.3f} ms  ({old / wal:,.0f}x faster)")


if __name__ == "__main__":
    main()
