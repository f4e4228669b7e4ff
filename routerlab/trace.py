"""The record of calls. Every call (and every orchestrator span: plan, delegate, review) is one
TraceRecord; a Trace holds them in order, gives a pandas DataFrame, and persists as append-only
JSON Lines: each record is one line written and flushed whole, so a process killed mid-write
loses at most that record, and loading skips a torn last line with a warning."""

from __future__ import annotations

import json
import math
import os
import re
import threading
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import IO, Any

from .errors import TraceError
from .redaction import scrub

__all__ = ["TraceRecord", "Trace", "STATUSES", "redact", "critical_path", "critical_path_rows"]

STATUSES = ("ok", "error", "refused")

# Things that look like API keys (Anthropic sk-ant-..., OpenAI sk-..., bearer tokens) never
# reach a trace: a provider error message can echo a header back.
_KEY_PATTERN = re.compile(r"(sk-ant-[A-Za-z0-9_\-]{8,}|sk-[A-Za-z0-9_\-]{16,}|Bearer\s+[A-Za-z0-9_\-\.]{12,})")


def redact(text: str | None, secrets: Iterable[str] = ()) -> str | None:
    """``text`` with API-key-like strings (and any given ``secrets``) replaced by ``[redacted]``."""
    if text is None:
        return None
    given = [s for s in secrets if s]
    for secret in given:
        text = text.replace(secret, "[redacted]")
    # whole key-like tokens first: a registered key's piece masked inside a token would leave its tail
    # ("Bearer [redacted]1234") and stop the pattern from seeing the token
    text = _KEY_PATTERN.sub("[redacted]", text)
    return scrub(text, given, mask="[redacted]")


def _new_id() -> str:
    return uuid.uuid4().hex[:16]


_OPTIONAL_TEXT = ("model", "tier", "provider", "parent_id", "task_id", "subtask_id", "error", "error_type")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_types(r: TraceRecord) -> None:
    """Field-by-field types, so a hand-edited or foreign line fails loudly instead of loading."""
    if not isinstance(r.kind, str) or not isinstance(r.call_id, str):
        raise TraceError(f"TraceRecord.kind and call_id must be str, got {r.kind!r} and {r.call_id!r}")
    for name in _OPTIONAL_TEXT:
        value = getattr(r, name)
        if value is not None and not isinstance(value, str):
            raise TraceError(f"TraceRecord.{name} must be a str or null, got {value!r}")
    for name in ("start", "end"):
        if not _is_number(getattr(r, name)):
            raise TraceError(f"TraceRecord.{name} must be a finite number (epoch seconds), got {getattr(r, name)!r}")
    if r.ttft_s is not None and (not _is_number(r.ttft_s) or r.ttft_s < 0):
        raise TraceError(f"TraceRecord.ttft_s must be a number of seconds >= 0 or null, got {r.ttft_s!r}")
    if r.decision is not None and not isinstance(r.decision, dict):
        raise TraceError(f"TraceRecord.decision must be an object (Decision.to_dict()) or null, got {r.decision!r}")
    if not isinstance(r.metadata, dict):
        raise TraceError(f"TraceRecord.metadata must be an object, got {r.metadata!r}")


@dataclass
class TraceRecord:
    """One call or span. Times are epoch seconds; tokens are counts; cost is USD."""

    kind: str = "call"  # call | plan | delegate | review | task | ...
    model: str | None = None
    tier: str | None = None
    provider: str | None = None
    call_id: str = field(default_factory=_new_id)
    parent_id: str | None = None
    task_id: str | None = None
    subtask_id: str | None = None
    start: float = 0.0
    end: float = 0.0
    ttft_s: float | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cached_tokens: int = 0
    cost_usd: float = 0.0
    decision: dict[str, Any] | None = None
    attempt: int = 1
    retries: int = 0
    status: str = "ok"
    error: str | None = None
    error_type: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_types(self)
        for name in ("input_tokens", "output_tokens", "cached_tokens", "attempt", "retries"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise TraceError(f"TraceRecord.{name} must be a non-negative int, got {value!r}")
        if not isinstance(self.cost_usd, (int, float)) or not math.isfinite(self.cost_usd) or self.cost_usd < 0:
            raise TraceError(f"TraceRecord.cost_usd must be a finite number >= 0, got {self.cost_usd!r}")
        if self.status not in STATUSES:
            raise TraceError(f"TraceRecord.status {self.status!r} is not one of {STATUSES}")
        if self.end and self.end < self.start:
            raise TraceError(f"TraceRecord ends ({self.end}) before it starts ({self.start})")
        self.error = redact(self.error)

    @property
    def latency_s(self) -> float:
        return max(0.0, self.end - self.start)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> TraceRecord:
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise TraceError(f"trace record has unknown fields {sorted(unknown)}")
        return cls(**dict(d))


class Trace:
    """An ordered, thread-safe list of records, optionally mirrored to a JSON Lines file.

    ``Trace(path)`` appends each record to ``path`` as it is added (existing records in the
    file are kept and loaded first), so a crash loses nothing already recorded.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, records: Iterable[TraceRecord] = ()) -> None:
        self._records: list[TraceRecord] = list(records)
        self._listeners: list[Callable[[TraceRecord], None]] = []
        self._lock = threading.Lock()
        self._file: IO[bytes] | None = None
        self.path = Path(path) if path is not None else None
        if self.path is not None:
            _check_trace_path(self.path)
            if self.path.exists():
                self._records = list(_read_jsonl(self.path)) + self._records
                _truncate_torn_tail(self.path)
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # unbuffered: each record goes to the OS in the call that appends it
                self._file = self.path.open("ab", buffering=0)
            except OSError as exc:
                raise TraceError(f"cannot open trace file {self.path} for appending ({exc.strerror or exc}): "
                                 "pass a path in a writable directory") from None

    def append(self, record: TraceRecord) -> TraceRecord:
        """Keep ``record`` and write it to the file as one flushed line (on the OS before this returns).

        A file that cannot take the line (size limit, full disk) raises TraceError; the record
        stays in memory and the file is cut back to its last whole line."""
        if not isinstance(record, TraceRecord):
            raise TraceError(f"Trace.append takes a TraceRecord, got {type(record).__name__}")
        line = _dumps(record)
        with self._lock:
            self._records.append(record)
            if self._file is not None:
                self._write(line)
        for listener in list(self._listeners):
            listener(record)
        return record

    def on_append(self, listener: Callable[[TraceRecord], None]) -> None:
        """Call ``listener(record)`` after each record is appended (an exporter, a live view)."""
        self._listeners.append(listener)

    def _write(self, line: str) -> None:
        assert self._file is not None
        fd = self._file.fileno()
        data = memoryview((line + "\n").encode("utf-8"))
        pos = os.fstat(fd).st_size
        try:
            while data:
                data = data[os.write(fd, data):]
        except OSError as exc:
            try:  # no torn line left behind for the next write to land after
                os.ftruncate(fd, pos)
            except OSError:
                pass
            raise TraceError(f"trace file {self.path} cannot take another record ({exc.strerror or exc}): "
                             "free disk space, raise the file size limit, or start a new trace file; "
                             "the record is kept in memory (Trace.records)") from None

    def extend(self, records: Iterable[TraceRecord]) -> None:
        for r in records:
            self.append(r)

    @property
    def records(self) -> list[TraceRecord]:
        with self._lock:
            return list(self._records)

    def __iter__(self) -> Iterator[TraceRecord]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self._records)

    def __getitem__(self, i: int) -> TraceRecord:
        return self._records[i]

    @property
    def total_cost(self) -> float:
        return sum(r.cost_usd for r in self.records)

    def calls(self) -> list[TraceRecord]:
        return [r for r in self.records if r.kind == "call"]

    def to_frame(self) -> Any:
        """A pandas DataFrame, one row per record, with ``latency_s`` added."""
        import pandas as pd

        cols = [f.name for f in fields(TraceRecord)]
        df = pd.DataFrame([r.to_dict() for r in self.records], columns=cols)
        df["latency_s"] = (df["end"] - df["start"]).clip(lower=0)
        return df

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write every record to ``path`` (replacing it) as JSON Lines."""
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(out.suffix + ".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            for r in self.records:
                f.write(_dumps(r) + "\n")
        os.replace(tmp, out)
        return out

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Trace:
        """Records from a JSON Lines file (not attached to it: further appends stay in memory)."""
        p = Path(path)
        if not p.is_file():
            raise TraceError(f"trace file {p} does not exist")
        return cls(records=_read_jsonl(p))

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def __enter__(self) -> Trace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = f", path={str(self.path)!r}" if self.path else ""
        return f"Trace({len(self)} records, ${self.total_cost:.4f}{where})"


def _check_trace_path(path: Path) -> None:
    if path.exists() and not path.is_file():
        what = "a directory" if path.is_dir() else "not a regular file (a device or a pipe)"
        raise TraceError(f"trace path {path} is {what}: give the path of a .jsonl file")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise TraceError(f"trace path {path} is under {parent}, which is a file, not a directory")
            break


def _dumps(record: TraceRecord) -> str:
    """One JSON line. A value JSON cannot hold (NaN, infinity) becomes null and is named under
    ``metadata["unserialisable"]``: the record is never dropped for it."""
    data = record.to_dict()
    try:
        return json.dumps(data, separators=(",", ":"), allow_nan=False, default=str)
    except (ValueError, TypeError, RecursionError):
        pass
    bad: list[str] = []
    clean = _json_safe(data, "", bad)
    clean["metadata"] = {**clean.get("metadata", {}), "unserialisable": bad}
    try:
        return json.dumps(clean, separators=(",", ":"), allow_nan=False, default=str)
    except (ValueError, TypeError, RecursionError) as e:  # pragma: no cover - _json_safe leaves only JSON
        raise TraceError(f"trace record {record.call_id} has a value JSON cannot hold ({e})") from None


def _json_safe(value: Any, where: str, bad: list[str], depth: int = 0) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        bad.append(where or "value")
        return None
    if depth > 50:
        bad.append(where)
        return None
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v, f"{where}.{k}" if where else str(k), bad, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v, f"{where}[{i}]", bad, depth + 1) for i, v in enumerate(value)]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _read_jsonl(path: Path) -> Iterator[TraceRecord]:
    raw = path.read_bytes()
    lines = raw.split(b"\n")
    torn_tail = not raw.endswith(b"\n") and raw != b""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        is_last = number == len(lines)
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError("not an object")
            yield TraceRecord.from_dict(data)
        except (ValueError, TypeError, TraceError) as e:
            if is_last and torn_tail:
                warnings.warn(f"{path}: skipped a torn last line {number} (a write was cut short)", stacklevel=3)
                return
            raise TraceError(
                f"{path} line {number} is not a trace record in JSON Lines ({e}); "
                "is this a trace file written by routerlab?"
            ) from None


def _truncate_torn_tail(path: Path) -> None:
    """Cut a torn last line so that new appends start on a line of their own."""
    raw = path.read_bytes()
    if raw and not raw.endswith(b"\n"):
        keep = raw.rfind(b"\n") + 1
        with path.open("r+b") as f:
            f.truncate(keep)


def critical_path(frame: Any, id_col: str = "call_id", slack_s: float = 1e-6) -> list[Any]:
    """Ids of the spans on the critical path of a run (the chain of waits that set its wall
    time), in time order (a span before what it contains). ``frame``: ``Trace.to_frame()`` or any frame with ``id_col``,
    ``start`` and ``end`` (``parent_id`` optional).

    Among the top-level spans (no parent in the frame), start from the one that ended last (the
    innermost on a tie) and step back, each time to the span that ended latest at or before the
    current one started (``slack_s`` absorbs clock noise); parallel branches that finished early
    are off the path. A span on the path that has children contributes its children's chain,
    found the same way, and so on down. Without ``parent_id`` every span is top-level."""
    import numpy as np
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise TraceError(f"critical_path needs a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in (id_col, "start", "end") if c not in frame.columns]
    if missing:
        raise TraceError(f"critical_path: the frame lacks column(s) {missing}; pass Trace.to_frame() "
                         "or a simulate() frame")
    if frame.empty:
        return []
    ids = list(frame[id_col])
    start = frame["start"].astype(float).to_numpy()
    end = frame["end"].astype(float).to_numpy()
    known = set(ids)
    parents = frame["parent_id"] if "parent_id" in frame.columns else [None] * len(ids)
    kids: dict[Any, list[int]] = {}
    for i, p in enumerate(parents):
        top = p is None or (not isinstance(p, str) and bool(pd.isna(p))) or p not in known or p == ids[i]
        kids.setdefault(None if top else p, []).append(i)

    def chain(pool: list[int]) -> list[int]:
        arr = np.asarray(pool)
        cur = int(arr[np.lexsort((start[arr], end[arr]))[-1]])  # ended last, latest start on a tie
        out = [cur]
        while True:
            ok = arr[(end[arr] <= start[cur] + slack_s) & (start[arr] < start[cur])]
            if not len(ok):
                return out[::-1]
            cur = int(ok[np.lexsort((start[ok], end[ok]))[-1]])
            out.append(cur)  # start strictly decreases along the chain, so it ends

    def walk(pool: list[int], seen: set[int]) -> list[int]:
        out: list[int] = []
        for i in chain(pool):
            out.append(i)
            children = [c for c in kids.get(ids[i], []) if c not in seen]
            if children:
                out += walk(children, seen | {i})
        return out

    path = walk(kids.get(None) or list(range(len(ids))), set())
    path.sort(key=lambda i: (start[i], -end[i]))  # a span before the spans it contains
    return [ids[i] for i in path]


def critical_path_rows(frame: Any, id_col: str = "call_id", slack_s: float = 1e-6) -> Any:
    """The rows of ``frame`` on its :func:`critical_path`, in time order (a DataFrame)."""
    path = critical_path(frame, id_col, slack_s)
    if not path:
        return frame.iloc[0:0].reset_index(drop=True)
    order = {cid: n for n, cid in enumerate(path)}
    rows = frame[frame[id_col].isin(order)]
    return rows.iloc[rows[id_col].map(order).argsort(kind="stable")].reset_index(drop=True)
