"""Benchmark model names -> routerlab catalog ids, from one small documented table.

Leaderboards name models in free text (``claude-3.5-sonnet``, ``GPT-5 (2025-08-07) (medium
reasoning)``, ``gpt-5 (high)``): ``routerlab/_data/quality/aliases.csv`` maps each such name, per
source, to a catalog id, with the variant (snapshot, reasoning effort, quantisation) in its own
column. Matching is exact after trimming and lower-casing: no fuzzy guess ever turns one model
into another. A name the table lacks maps to ``<NA>``: loaders keep those rows and
:func:`unmapped` lists them, so nothing is silently dropped.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from ..config import package_file
from ..errors import DatasetError, InvalidRequestError

__all__ = ["ALIAS_FILE", "SOURCES", "alias_table", "catalog_ids", "unmapped"]

ALIAS_FILE = package_file("quality", "aliases.csv")
SOURCES = ("aider", "tau2", "swe-bench", "routerbench", "routellm", "routerarena")


def _key(name: object) -> str:
    return str(name).strip().lower()


@lru_cache(maxsize=1)
def alias_table() -> pd.DataFrame:
    """The table: ``source, name, catalog_id, variant, note`` (one row per benchmark name)."""
    try:
        df = pd.read_csv(ALIAS_FILE, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError) as e:
        raise DatasetError(f"{ALIAS_FILE}: cannot read the alias table ({e})") from e
    bad = sorted(set(df["source"]) - set(SOURCES))
    if bad:
        raise DatasetError(f"{ALIAS_FILE}: unknown sources {bad}; use one of {SOURCES}")
    dup = df.assign(k=df["name"].map(_key)).duplicated(["source", "k"])
    if dup.any():
        raise DatasetError(f"{ALIAS_FILE}: names listed twice: {df.loc[dup, 'name'].tolist()}")
    return df


def catalog_ids(source: str, names: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(catalog id, variant) for each benchmark name of ``source``; ``<NA>`` where unmapped."""
    if source not in SOURCES:
        raise InvalidRequestError(f"source must be one of {SOURCES}, got {source!r}")
    t = alias_table()
    t = t[t["source"] == source]
    ids = dict(zip(t["name"].map(_key), t["catalog_id"], strict=True))
    variants = dict(zip(t["name"].map(_key), t["variant"], strict=True))
    keys = names.map(lambda n: None if pd.isna(n) else _key(n))
    cid = keys.map(ids).astype("string")
    var = keys.map(variants).astype("string")
    return cid, var


def unmapped(frame: pd.DataFrame, name_col: str = "model", id_col: str = "catalog_id") -> pd.DataFrame:
    """The rows of a loaded frame whose model maps to no catalog id (kept, reported)."""
    cols = [c for c in (name_col, "benchmark", "n", "date", "source") if c in frame.columns]
    return frame.loc[frame[id_col].isna(), cols].drop_duplicates().reset_index(drop=True)
