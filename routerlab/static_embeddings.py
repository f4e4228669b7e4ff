"""Static sentence embeddings distilled from all-MiniLM-L6-v2 (the model2vec idea, our own code).

MiniLM runs once on every word piece of its vocabulary as a one-piece sentence ([CLS] piece [SEP]);
its mean-pooled output becomes that piece's row in a table. A sentence vector is then the sum of
its pieces' rows, L2-normalised: a lookup and an add instead of six transformer layers, so a
prompt costs about what tokenising it costs (ratios in benchmarks/bench_routers.py).

The recipe was picked on the *train* splits of RouterBench and the eval set (numbers in
benchmarks/eval_embedders.py's docstring):

- rows are centred on their mean over real word pieces: MiniLM's outputs share a large common
  direction that otherwise makes every sum look alike (eval-set accuracy about +3 points);
- each row is scaled by the SIF weight a / (a + p), p a Zipf estimate from the piece's place in
  BERT's vocabulary (ordered by frequency from "the" on), so "the", "of" and punctuation count
  a little less (ties centring alone on routing, agrees slightly better with MiniLM);
- a text with no word pieces gets MiniLM's (centred) vector of the empty sentence.

What it gives up: word order and context. Its pairwise similarities rank like MiniLM's only in
part (Spearman 0.57 over 700 train prompts), so it suits signals carried by topic and wording,
which is what the routers here use (routing quality is compared in eval_embedders.py).

The table (vocabulary + 1 rows, float16, 23 MB) is built on first use (about 20 s on 2 cores)
and kept at ``routerlab.config.embeddings_cache_dir()/<model_id>.npy``, written to a temporary file and renamed,
so a killed build leaves no half file; a file that does not load or has the wrong shape is
rebuilt, not trusted.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .config import embeddings_cache_dir
from .embeddings import DIM, MAX_TOKENS, MODEL_ID, Embedder, checked_texts, load_tokenizer
from .errors import InvalidRequestError

__all__ = ["STATIC_MODEL_ID", "StaticEmbedder", "distil", "sif_weights"]

# Bump the suffix when the recipe changes, so old tables on disk are not reused.
STATIC_MODEL_ID = f"{MODEL_ID}-static-v1"
SIF_A = 1e-3  # SIF's usual constant; 1e-4 cost 5 points of eval-set accuracy, 1e-2 tied (train CV)
_BUILD_BATCH = 256  # one-piece sentences per model run: the fastest size measured here


def sif_weights(vocab_size: int, first_word: int, a: float = SIF_A) -> np.ndarray:
    """SIF weight ``a / (a + p)`` per vocabulary id, with ``p`` Zipf's law over the id's rank
    counted from ``first_word`` (BERT lists words by frequency from "the" on); ids before it
    (characters, punctuation, special tokens) are taken to be as common as the first word."""
    rank = np.maximum(np.arange(vocab_size, dtype=np.float64) - first_word + 1, 1.0)
    p = 1.0 / rank
    p /= p.sum()
    return a / (a + p)


def distil(pooled: np.ndarray, tokens: Sequence[str], first_word: int, centre: bool = True,
           sif_a: float | None = SIF_A) -> np.ndarray:
    """The table from pooled outputs (:meth:`StaticEmbedder.pool_vocabulary`): rows centred on the
    mean over real word pieces, then SIF-weighted (``sif_a=None``: plain mean); float16.
    The options exist so benchmarks/eval_embedders.py can compare the variants."""
    n = len(tokens)
    table = pooled.astype(np.float32, copy=True)
    if centre:
        # [PAD], [unusedN], [CLS] ... never stand for text: keep them out of the mean.
        real = np.array([not (t.startswith("[") and t.endswith("]")) for t in tokens])
        table -= table[:n][real].mean(axis=0)
    if sif_a is not None:
        table[:n] *= sif_weights(n, first_word, sif_a)[:, None]
    return table.astype(np.float16)


class StaticEmbedder(Embedder):
    """Sentence vectors from a word-piece table distilled from all-MiniLM-L6-v2.

    Same interface as :class:`~routerlab.embeddings.Embedder` (and a subclass of it, so it goes
    wherever an Embedder is accepted): ``embed(texts, batch_size=32) -> (n, 384)`` float32 unit
    vectors, ``__call__``, ``dim``, ``model_id``. ``batch_size`` is checked but has no effect:
    there are no model runs to batch. ``path``: where the table lives (default under
    :func:`~routerlab.config.embeddings_cache_dir`). ``threads``: onnxruntime threads for the one-off
    build. ``max_tokens``: MiniLM's window, [CLS] and [SEP] included, so both embedders read the
    same text. ``built_`` tells whether this instance built the table (rather than loaded it).
    """

    model_id = STATIC_MODEL_ID

    def __init__(self, path: str | os.PathLike[str] | None = None, threads: int | None = None,
                 max_tokens: int = MAX_TOKENS) -> None:
        if max_tokens < 3:
            raise InvalidRequestError(f"max_tokens must be >= 3 ([CLS], one piece, [SEP]), got {max_tokens}")
        super().__init__(threads=threads, cache=False, max_tokens=max_tokens)
        self.path = Path(path) if path is not None else embeddings_cache_dir() / f"{STATIC_MODEL_ID}.npy"
        self.built_ = False
        self._table: np.ndarray | None = None
        self._pieces: Any = None  # tokenizer used without [CLS]/[SEP]
        self._table_lock = threading.Lock()

    # ------------------------------------------------------------------ the table

    def _ensure_table(self) -> np.ndarray:
        with self._table_lock:
            if self._table is None:
                # The special tokens are not added, so the window shrinks by their two places.
                pieces = load_tokenizer(self.max_tokens - 2)
                rows = pieces.get_vocab_size() + 1
                table = self._read(rows)
                if table is None:
                    table = self._build_table()
                    self._write(table)
                    self.built_ = True
                self._pieces = pieces
                self._table = table.astype(np.float32)  # float32 sums: float16 loses digits over long texts
            return self._table

    def _read(self, rows: int) -> np.ndarray | None:
        """The stored table, or None when it is missing, torn, or not what this recipe writes."""
        try:
            table = np.load(self.path, allow_pickle=False)
        except (OSError, ValueError, EOFError):
            return None
        if not isinstance(table, np.ndarray) or table.dtype != np.float16 or table.shape != (rows, DIM) \
                or not np.isfinite(table).all():
            return None
        return table

    def _write(self, table: np.ndarray) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        except OSError as e:  # a read-only cache still leaves a working embedder
            warnings.warn(f"static embedding table not saved to {self.path}: {e}", stacklevel=3)
            return
        try:
            with os.fdopen(fd, "wb") as f:
                np.save(f, table, allow_pickle=False)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def _pool(self, ids: np.ndarray) -> np.ndarray:
        """MiniLM's mean-pooled (not normalised) output for rows of equal-length token ids."""
        (hidden,) = self._session.run(["last_hidden_state"], {
            "input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)})
        return np.asarray(hidden, dtype=np.float32).mean(axis=1)

    def pool_vocabulary(self) -> np.ndarray:
        """MiniLM's mean-pooled output for every word piece as a one-piece sentence, plus the
        empty sentence as the last row: (vocab + 1, 384) float32, before the recipe."""
        self._load()  # Embedder's ONNX session and tokenizer
        tok = self._tokenizer
        n = tok.get_vocab_size()
        cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
        pooled = np.empty((n + 1, DIM), dtype=np.float32)
        for s in range(0, n, _BUILD_BATCH):
            ids = np.arange(s, min(n, s + _BUILD_BATCH), dtype=np.int64)
            pooled[s:s + len(ids)] = self._pool(np.stack([np.full_like(ids, cls), ids, np.full_like(ids, sep)], axis=1))
        pooled[n] = self._pool(np.array([[cls, sep]], dtype=np.int64))[0]
        return pooled

    def _build_table(self) -> np.ndarray:
        pooled = self.pool_vocabulary()
        tok = self._tokenizer
        return distil(pooled, [tok.id_to_token(i) for i in range(len(pooled) - 1)], tok.token_to_id("the"))

    # ------------------------------------------------------------------ embedding

    def embed(self, texts: str | Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Embed texts -> float32 array (n, 384) of unit vectors, in input order."""
        texts = checked_texts(texts, batch_size)
        out = np.empty((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        table = self._ensure_table()
        encs = self._pieces.encode_batch(texts, add_special_tokens=False) if len(texts) > 1 \
            else [self._pieces.encode(texts[0], add_special_tokens=False)]
        for i, e in enumerate(encs):
            out[i] = table[e.ids].sum(axis=0) if e.ids else table[-1]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.clip(norms, 1e-12, None)

    __call__ = embed
