"""routerlab's own labelled eval set of agent requests (``routerlab/_data/evalset/agent_requests.csv``,
shipped in the package; built by ``data/evalset/build.py``).

Each row is one request an agent sends to an LLM, labelled with the tier that should serve
it (orchestrator / classifier / coder / vision) and a finer ``kind``, with a fixed train/test
split. The label guide is ``data/evalset/README.md``.

    df = load_evalset()                    # every row, validated
    test = load_evalset(split="test")
    requests = to_requests(test)           # Request objects carrying image refs and context size
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import evalset_override, package_file
from .errors import DatasetError
from .kinds import EVALSET_KINDS, TIERS, tiers_for
from .types import Request

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "TIERS",
    "KIND_TO_TIER",
    "COLUMNS",
    "SPLITS",
    "default_evalset_path",
    "load_evalset",
    "validate_evalset",
    "to_requests",
]

# The eval set's kinds and their tiers: a view of the one table in routerlab.kinds.
KIND_TO_TIER: dict[str, str] = tiers_for(EVALSET_KINDS)
COLUMNS = ("id", "text", "tier", "kind", "split", "image_refs", "input_tokens", "ambiguous", "label_note")
SPLITS = ("train", "test")
_ENV = "ROUTERLAB_EVALSET"


def default_evalset_path() -> Path:
    """``$ROUTERLAB_EVALSET`` if set, else the ``agent_requests.csv`` shipped in the package."""
    return evalset_override() or package_file("evalset", "agent_requests.csv")


def load_evalset(path: str | os.PathLike[str] | None = None, split: str | None = None) -> pd.DataFrame:
    """Read and validate the eval set; ``split="train"``/``"test"`` keeps one split.

    Raises DatasetError naming the file, the CSV line and what to fix when a row is malformed.
    """
    import pandas as pd

    p = Path(path) if path is not None else default_evalset_path()
    if not p.is_file():
        raise DatasetError(f"eval set not found at {p}: pass path=... or set {_ENV} to the agent_requests.csv file")
    if split is not None and split not in SPLITS:
        raise DatasetError(f"split must be one of {SPLITS} or None, got {split!r}")
    try:
        df = pd.read_csv(p, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise DatasetError(f"{p} is empty: an eval set needs a header {list(COLUMNS)} and one row per request") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{p} is not a readable CSV ({exc}); rebuild it with data/evalset/build.py (from a checkout)") from exc
    df = validate_evalset(df, source=str(p))
    if split is not None:
        df = df[df["split"] == split].reset_index(drop=True)
    return df


def validate_evalset(df: pd.DataFrame, source: str = "eval set") -> pd.DataFrame:
    """Check columns and every row; return a typed copy (``input_tokens`` int, ``ambiguous`` bool)."""
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise DatasetError(f"{source} lacks column(s) {missing}; expected {list(COLUMNS)}")
    if df.empty:
        raise DatasetError(f"{source} has no rows")
    out = df.loc[:, list(COLUMNS)].copy()
    tokens: list[int] = []
    for i, row in enumerate(out.itertuples(index=False)):
        where = f"{source}, row {i + 1} (CSV line {i + 2}, id {row.id!r})"
        if not str(row.text).strip():
            raise DatasetError(f"{where}: empty text: every request needs its text")
        if row.tier not in TIERS:
            raise DatasetError(f"{where}: tier {row.tier!r} is not one of {TIERS}")
        kind = str(row.kind)
        if kind not in KIND_TO_TIER:
            raise DatasetError(f"{where}: unknown kind {kind!r}; known: {sorted(KIND_TO_TIER)}")
        if KIND_TO_TIER[kind] != row.tier:
            raise DatasetError(f"{where}: kind {kind!r} belongs to tier {KIND_TO_TIER[kind]!r}, not {row.tier!r}")
        if row.split not in SPLITS:
            raise DatasetError(f"{where}: split {row.split!r} is not one of {SPLITS}")
        raw = str(row.input_tokens).strip() or "0"
        if not raw.isdigit():
            raise DatasetError(f"{where}: input_tokens {row.input_tokens!r} must be a non-negative integer")
        tokens.append(int(raw))
        if str(row.ambiguous) not in ("0", "1", "True", "False"):
            raise DatasetError(f"{where}: ambiguous {row.ambiguous!r} must be 0 or 1")
    dup = out["id"][out["id"].duplicated()]
    if len(dup):
        raise DatasetError(f"{source}: duplicate id(s) {sorted(set(dup))[:5]}: ids must be unique")
    out["input_tokens"] = tokens
    out["ambiguous"] = out["ambiguous"].isin(["1", "True"])
    return out.reset_index(drop=True)


def to_requests(df: pd.DataFrame) -> list[Request]:
    """One Request per row. ``kind`` is left "general" (a router must not read the label);
    image references and attached-context size go in metadata, where rule predicates look.

    ``metadata["input_tokens"]`` is the whole prompt estimate (text + attached context), so
    ``Request.estimated_input_tokens()`` and worst-case costs see the attachment.
    """
    from .types import CHARS_PER_TOKEN, TOKENS_PER_IMAGE

    out: list[Request] = []
    for row in df.itertuples(index=False):
        refs = tuple(r for r in str(row.image_refs).split(";") if r)
        text = str(row.text)
        meta: dict[str, Any] = {"evalset_id": row.id, "image_refs": refs}
        attached = int(str(row.input_tokens))
        if attached or refs:
            meta["input_tokens"] = max(1, len(text) // CHARS_PER_TOKEN) + attached + TOKENS_PER_IMAGE * len(refs)
        out.append(Request.user(text, metadata=meta, id=str(row.id)))
    return out
