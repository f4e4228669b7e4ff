"""Static embeddings distilled from the real MiniLM: geometry, agreement with MiniLM, the table on disk."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from routerlab.embeddings import DIM, Embedder
from routerlab.errors import InvalidRequestError
from routerlab.static_embeddings import StaticEmbedder

pytest.importorskip("onnxruntime")

SENTS = [
    "How do I reset my password?",
    "I forgot my password, how can I change it?",
    "The stock market fell sharply on Tuesday.",
    "Write a Python function that reverses a linked list.",
]

# 15 paraphrase pairs (rows 2i, 2i+1) on unrelated topics.
VARIED = [
    "How do I reset my password?", "I forgot my password, how can I change it?",
    "What is the capital of France?", "Which city is the capital of France?",
    "Write a Python function that reverses a linked list.", "Implement linked list reversal in Python.",
    "The stock market fell sharply on Tuesday.", "Shares dropped steeply at the start of the week.",
    "Summarise this quarterly report in three bullet points.", "Give me a short summary of the attached financial report.",
    "Click the blue Submit button at the bottom of the form.", "Where is the login button on this screenshot?",
    "Translate 'good morning' into Spanish.", "How do you say hello in German?",
    "My laptop battery drains very quickly.", "The phone runs out of charge within a few hours.",
    "Plan a three-day trip to Rome on a small budget.", "Suggest an itinerary for a weekend in Paris.",
    "Fix the SQL query that returns duplicate rows.", "Why does my JOIN produce repeated results?",
    "The cat sat on the mat and purred.", "A dog is chasing a ball in the park.",
    "Solve for x: 2x + 3 = 11.", "What is the derivative of x squared?",
    "Classify this support ticket as billing, technical or other.", "Which category does this customer email belong to?",
    "The weather will be sunny with light winds tomorrow.", "Heavy rain is expected across the region tonight.",
    "Explain how vaccines train the immune system.", "What causes the seasons on Earth?",
]


@pytest.fixture(scope="module")
def static(tmp_path_factory: pytest.TempPathFactory) -> StaticEmbedder:
    """One real build (about 20 s on 2 cores), shared by the tests of this file."""
    emb = StaticEmbedder(path=tmp_path_factory.mktemp("static") / "table.npy", threads=2)
    emb.embed("warm up")
    return emb


@pytest.fixture(scope="module")
def good_table(static: StaticEmbedder) -> np.ndarray:
    table: np.ndarray = np.load(static.path)
    return table


def test_first_use_builds_and_stores_the_table(static: StaticEmbedder) -> None:
    assert static.built_
    table = np.load(static.path)
    assert table.dtype == np.float16 and table.shape[1] == DIM and table.shape[0] > 30_000
    assert [p.name for p in static.path.parent.iterdir()] == [static.path.name]  # no temp file left


def test_shape_dtype_and_unit_norm(static: StaticEmbedder) -> None:
    v = static.embed(SENTS)
    assert v.shape == (len(SENTS), DIM) == (len(SENTS), static.dim)
    assert v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert static.model_id != Embedder.model_id  # its vectors must never share MiniLM's caches


def test_deterministic_batch_equals_single_and_order_kept(static: StaticEmbedder) -> None:
    batch = static.embed(SENTS)
    np.testing.assert_array_equal(static.embed(SENTS), batch)
    np.testing.assert_allclose(np.vstack([static(s) for s in SENTS]), batch, atol=1e-6)
    np.testing.assert_array_equal(static.embed(SENTS[::-1])[::-1], batch)


def test_empty_inputs(static: StaticEmbedder) -> None:
    assert static.embed([]).shape == (0, DIM)
    v = static.embed(["", "   ", "hello"])
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(v[0], v[1])  # no word pieces either way
    assert not np.allclose(v[0], v[2])


def test_bad_input_is_typed(static: StaticEmbedder) -> None:
    with pytest.raises(InvalidRequestError):
        static.embed(["ok", 3])  # type: ignore[list-item]
    with pytest.raises(InvalidRequestError):
        static.embed(["ok"], batch_size=0)
    with pytest.raises(InvalidRequestError):
        StaticEmbedder(path=static.path, max_tokens=2)


def test_paraphrase_closer_than_unrelated(static: StaticEmbedder) -> None:
    v = static.embed(SENTS)
    sim = v @ v.T
    assert sim[0, 1] > 0.6
    assert sim[0, 1] > sim[0, 2] + 0.3
    assert sim[0, 1] > sim[0, 3] + 0.3


def _rank_corr(a: np.ndarray, b: np.ndarray) -> float:
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


def test_agrees_with_minilm(static: StaticEmbedder) -> None:
    # Spearman correlation of the 435 pairwise cosines, static vs MiniLM. Measured 0.36 here
    # (0.57 over 700 RouterBench / eval-set train prompts); the same table with its rows shuffled
    # (same norms, meaning destroyed) scores 0.03-0.13 over 5 seeds. 0.25 separates the two.
    iu = np.triu_indices(len(VARIED), 1)
    ref = Embedder(threads=1, cache=False).embed(VARIED)
    ref_sims = (ref @ ref.T)[iu]
    v = static.embed(VARIED)
    assert _rank_corr((v @ v.T)[iu], ref_sims) > 0.25
    shuffled = StaticEmbedder(path=static.path)
    table = static._ensure_table()
    shuffled._table = table[np.random.default_rng(0).permutation(len(table))]
    shuffled._pieces = static._pieces
    s = shuffled.embed(VARIED)
    assert _rank_corr((s @ s.T)[iu], ref_sims) < 0.25
    # What a router relies on: each sentence's paraphrase is its nearest neighbour
    # (static 14 of 15 pairs, MiniLM 13 of 15).
    sim = v @ v.T
    np.fill_diagonal(sim, -np.inf)
    nearest = sim.argmax(axis=1)
    pairs_found = sum(nearest[i] == i + 1 for i in range(0, len(VARIED), 2))
    assert pairs_found >= 12


def test_a_router_routes_with_it(static: StaticEmbedder) -> None:
    from routerlab.routers.predictors import KNNRouter
    from routerlab.types import Request

    train = ["Write a Python function that sorts a list.", "Fix this SQL query that fails.",
             "Implement binary search in Java.", "Say good morning to the team.",
             "Thank the customer for their kind message.", "Wish Anna a happy birthday."]
    Q = np.array([[0, 1], [0, 1], [0, 1], [1, 1], [1, 1], [1, 1]], dtype=float)
    r = KNNRouter(k=2, cost_weight=0.5, embedder=static, model_costs={"cheap": 0.1, "strong": 1.0})
    r.fit(static.embed(train), Q, models=["cheap", "strong"])
    code, chat = r.route_batch([Request.user("Write a Python function that merges two sorted lists."),
                                Request.user("Say good evening to the whole team.")])
    assert (code.model, chat.model) == ("strong", "cheap")


def test_second_instance_reuses_the_table(static: StaticEmbedder, monkeypatch: pytest.MonkeyPatch) -> None:
    mtime = static.path.stat().st_mtime_ns

    def no_build(self: StaticEmbedder) -> np.ndarray:
        raise AssertionError("the stored table should have been reused")

    monkeypatch.setattr(StaticEmbedder, "_build_table", no_build)
    again = StaticEmbedder(path=static.path)
    np.testing.assert_array_equal(again.embed(SENTS), static.embed(SENTS))
    assert not again.built_ and again._session is None  # MiniLM itself never loaded
    assert static.path.stat().st_mtime_ns == mtime


@pytest.mark.parametrize("damage", ["garbage", "truncated", "wrong shape", "wrong dtype"])
def test_damaged_table_is_rebuilt(damage: str, good_table: np.ndarray, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "table.npy"
    if damage == "garbage":
        path.write_bytes(b"not a numpy file")
    elif damage == "truncated":  # what a torn write would have left
        np.save(path, good_table)
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif damage == "wrong shape":
        np.save(path, good_table[:100])
    else:
        np.save(path, good_table.astype(np.float32))
    builds = []

    def fake_build(self: StaticEmbedder) -> np.ndarray:  # the real build is covered by the fixture
        builds.append(1)
        return good_table

    monkeypatch.setattr(StaticEmbedder, "_build_table", fake_build)
    v = StaticEmbedder(path=path).embed(SENTS)
    assert builds == [1]
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(np.load(path), good_table)  # the good table replaced the damaged file


def test_interrupted_save_leaves_no_file(good_table: np.ndarray, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "table.npy"
    monkeypatch.setattr(StaticEmbedder, "_build_table", lambda self: good_table)
    real_save = np.save

    def killed_save(f, arr, **kw):  # type: ignore[no-untyped-def]
        f.write(b"\x93NUMPY half a table")
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "save", killed_save)
    with pytest.raises(KeyboardInterrupt):
        StaticEmbedder(path=path).embed("x")
    assert os.listdir(tmp_path) == []  # neither a half table nor a temp file
    monkeypatch.setattr(np, "save", real_save)
    assert StaticEmbedder(path=path).embed("x").shape == (1, DIM)
    assert path.is_file()


def test_default_path_is_under_the_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUTERLAB_CACHE_DIR", str(tmp_path))
    emb = StaticEmbedder()
    assert emb.path.is_relative_to(tmp_path) and emb.model_id in emb.path.name
