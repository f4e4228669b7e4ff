"""Real MiniLM embeddings: geometry a user relies on, batching, and the on-disk cache."""

from __future__ import annotations

import numpy as np
import pytest

from routerlab.embeddings import DIM, Embedder, EmbeddingCache, cache_misses, model_files
from routerlab.errors import InvalidRequestError, MissingDependencyError

pytest.importorskip("onnxruntime")

SENTS = [
    "How do I reset my password?",
    "I forgot my password, how can I change it?",
    "The stock market fell sharply on Tuesday.",
    "Write a Python function that reverses a linked list.",
]


@pytest.fixture(scope="module")
def embedder(tmp_path_factory: pytest.TempPathFactory) -> Embedder:
    cache = EmbeddingCache(tmp_path_factory.mktemp("emb") / "c.sqlite")
    return Embedder(threads=1, cache=cache)


def test_shape_dtype_and_unit_norm(embedder: Embedder) -> None:
    v = embedder.embed(SENTS)
    assert v.shape == (len(SENTS), DIM)
    assert v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)


def test_paraphrase_closer_than_unrelated(embedder: Embedder) -> None:
    v = embedder.embed(SENTS)
    sim = v @ v.T
    assert sim[0, 1] > 0.6
    assert sim[0, 1] > sim[0, 2] + 0.3
    assert sim[0, 1] > sim[0, 3] + 0.3


def test_known_sentence_transformers_similarity() -> None:
    # sentence-transformers' documented example: cos("A man is eating food.",
    # "A man is eating a piece of bread.") ~= 0.755 for all-MiniLM-L6-v2 (fp32); int8 stays close.
    v = Embedder(threads=1, cache=False).embed(["A man is eating food.", "A man is eating a piece of bread."])
    assert abs(float(v[0] @ v[1]) - 0.755) < 0.03


def test_batch_equals_single_and_order_kept(embedder: Embedder) -> None:
    batch = Embedder(threads=1, cache=False).embed(SENTS, batch_size=3)
    single = np.vstack([Embedder(threads=1, cache=False).embed(s) for s in SENTS])
    np.testing.assert_allclose(batch, single, atol=1e-5)
    rev = Embedder(threads=1, cache=False).embed(SENTS[::-1])
    np.testing.assert_allclose(rev[::-1], batch, atol=1e-5)


def test_cache_hits_skip_the_model(tmp_path) -> None:  # type: ignore[no-untyped-def]
    cache = EmbeddingCache(tmp_path / "c.sqlite")
    first = Embedder(threads=1, cache=cache).embed(SENTS + [SENTS[0]])
    assert len(cache) == len(SENTS)  # the duplicate is stored once
    fresh = Embedder(threads=1, cache=EmbeddingCache(tmp_path / "c.sqlite"))
    again = fresh.embed(SENTS)
    assert fresh._session is None  # served entirely from disk, model never loaded
    np.testing.assert_array_equal(again, first[: len(SENTS)])


class _CountingEmbedder(Embedder):
    """The real encoder, counting the texts it encodes (so a cache hit is visible as no count)."""

    encoded = 0

    def _run(self, encs):  # type: ignore[no-untyped-def]
        self.encoded += len(encs)
        return super()._run(encs)


def test_inside_cache_misses_every_text_is_encoded_as_new(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import threading

    cache = EmbeddingCache(tmp_path / "c.sqlite")
    emb = _CountingEmbedder(threads=1, cache=cache)
    first = emb.embed(SENTS)
    emb.embed(SENTS)
    assert emb.encoded == len(SENTS)  # the second call read the cache
    with cache_misses():
        again = emb.embed(SENTS)
        assert emb.encoded == 2 * len(SENTS)  # the cache held every text; each was encoded all the same
        with cache_misses():
            pass
        emb.embed(SENTS[0])  # still missing after a nested block ends
        assert emb.encoded == 2 * len(SENTS) + 1
        seen: list[int] = []  # a plain new thread is outside the block: it reads the cache
        worker = threading.Thread(target=lambda: seen.append(emb.embed(SENTS[1:2]).shape[0]))
        worker.start()
        worker.join()
        assert seen == [1] and emb.encoded == 2 * len(SENTS) + 1
    np.testing.assert_allclose(again, first, atol=1e-5)
    assert len(cache) == len(SENTS)  # stored as a new text would be, still one row per text
    emb.embed(SENTS)
    assert emb.encoded == 2 * len(SENTS) + 1  # outside the block the cache answers again


def test_storing_a_vector_does_not_wait_for_the_disk(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # a new text's store is an append to a write-ahead log, not an fsync per commit (which took
    # ~20 ms here, more than encoding): the modes that make it so
    cache = EmbeddingCache(tmp_path / "c.sqlite")
    cache.put_many([("k", np.zeros(DIM, dtype=np.float32))])
    conn = cache._connect()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL: synced at checkpoints
    cache.close()
    assert set(EmbeddingCache(tmp_path / "c.sqlite").get_many(["k"])) == {"k"}


def test_cache_dir_env(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ROUTERLAB_CACHE_DIR", str(tmp_path))
    assert EmbeddingCache().path.is_relative_to(tmp_path)


def test_bad_input_is_typed(embedder: Embedder) -> None:
    with pytest.raises(InvalidRequestError):
        embedder.embed(["ok", 3])  # type: ignore[list-item]
    with pytest.raises(InvalidRequestError):
        embedder.embed(["ok"], batch_size=0)
    assert embedder.embed([]).shape == (0, DIM)


def test_missing_runtime_names_the_extra(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import builtins

    real = builtins.__import__

    def fake(name, *a, **k):  # type: ignore[no-untyped-def]
        if name == "onnxruntime":
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(MissingDependencyError) as ei:
        Embedder(cache=False).embed("x")
    assert ei.value.package == "onnxruntime" and ei.value.extra == "local"


def test_model_files_exist() -> None:
    model, tok = model_files()
    assert model.stat().st_size > 10_000_000 and tok.name == "tokenizer.json"
