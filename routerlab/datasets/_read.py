"""Reading registered files: every parse failure becomes a DatasetError that names the file."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from ..errors import DatasetError
from .registry import fetch, get

__all__ = ["read_csv", "read_jsonl", "read_json", "read_yaml", "require_columns", "source_label", "DataDir"]

DataDir = str | os.PathLike[str] | None
T = TypeVar("T")


def _guard(path: Path, fn: Callable[[], T]) -> T:
    try:
        return fn()
    except DatasetError:
        raise
    except Exception as e:  # pandas/json raise many types; the user needs the file name
        raise DatasetError(f"{path}: cannot parse ({type(e).__name__}: {e})") from e


def read_csv(key: str, data_dir: DataDir = None, quiet: bool = False, **kw: Any) -> pd.DataFrame:
    path = fetch(key, data_dir, quiet=quiet)
    return _guard(path, lambda: pd.read_csv(path, **kw))


def read_jsonl(key: str, data_dir: DataDir = None, quiet: bool = False) -> pd.DataFrame:
    path = fetch(key, data_dir, quiet=quiet)
    return _guard(path, lambda: pd.read_json(path, lines=True))


def read_json(key: str, data_dir: DataDir = None, quiet: bool = False) -> Any:
    import json

    path = fetch(key, data_dir, quiet=quiet)
    return _guard(path, lambda: json.loads(path.read_text(encoding="utf-8")))


def read_yaml(key: str, data_dir: DataDir = None, quiet: bool = False) -> Any:
    import yaml

    path = fetch(key, data_dir, quiet=quiet)
    return _guard(path, lambda: yaml.safe_load(path.read_text(encoding="utf-8")))


def require_columns(df: pd.DataFrame, cols: list[str] | tuple[str, ...], key: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DatasetError(f"{key}: missing columns {missing} (got {list(df.columns)[:12]}...)")


def source_label(key: str) -> str:
    """``owner/repo @ commit8 : path``: where a registered file's numbers come from."""
    f = get(key)
    return f"{f.source.repo} @ {f.source.ref[:8]} : {f.origin_path or key}"
