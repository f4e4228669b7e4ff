"""Build routerlab/_data/evalset/agent_requests.csv from the hand-written sources in src/ (one file per tier).

Run from the repository root:  python data/evalset/build.py
The split is stratified by ``kind`` (hence by tier) and seeded, so rebuilding gives the
same file byte for byte; a row keeps its split as long as its text and kind do not change.
"""

from __future__ import annotations

import csv
import hashlib
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The CSV ships inside the package (read with importlib.resources); the sources stay here.
OUT = HERE.parents[1] / "routerlab" / "_data" / "evalset" / "agent_requests.csv"
SEED = 20261125
TEST_FRACTION = 0.30
TIERS = ("orchestrator", "classifier", "coder", "vision")
MARKER = re.compile(r"\{(img|tok|amb):([^}]*)\}")
COLUMNS = ["id", "text", "tier", "kind", "split", "image_refs", "input_tokens", "ambiguous", "label_note"]


def parse(tier: str, line: str) -> dict[str, object]:
    kind, _, raw = line.partition("|")
    images, tokens, note = [], 0, ""
    for tag, value in MARKER.findall(raw):
        if tag == "img":
            images.append(value)
        elif tag == "tok":
            tokens = int(value)
        else:
            note = value
    text = MARKER.sub("", raw).replace("\\n", "\n").strip()
    return {
        "id": "r" + hashlib.sha1(text.encode()).hexdigest()[:10],
        "text": text,
        "tier": tier,
        "kind": kind.strip(),
        "image_refs": ";".join(images),
        "input_tokens": tokens,
        "ambiguous": int(bool(note)),
        "label_note": note,
    }


def build(out: Path = OUT) -> int:
    """Write the CSV to ``out``; returns the number of rows."""
    rows = []
    for tier in TIERS:
        for line in (HERE / "src" / f"{tier}.txt").read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                rows.append(parse(tier, line))
    by_kind: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        by_kind.setdefault(str(row["kind"]), []).append(row)
    rng = random.Random(SEED)
    for kind in sorted(by_kind):
        group = sorted(by_kind[kind], key=lambda r: str(r["id"]))
        rng.shuffle(group)
        n_test = round(TEST_FRACTION * len(group))
        for i, row in enumerate(group):
            row["split"] = "test" if i < n_test else "train"
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def main() -> None:
    out = OUT
    print(f"wrote {build(out)} rows to {out}")


if __name__ == "__main__":
    main()
