"""A user's own files, wrong: binary bytes, an empty file, a header without rows, missing columns,
and no data mirror at all. Each ends in a typed routerlab error that names the file and what to
give instead (never a UnicodeDecodeError, a pandas EmptyDataError or a KeyError), and none loads
partly in silence. Every file is made by the test in tmp_path."""

from __future__ import annotations

import csv
import gzip
import io
import re
from pathlib import Path

import pytest

from routerlab.catalog import Catalog, default_table_path
from routerlab.errors import DatasetError, PriceTableError

BINARY = bytes(range(128, 256)) * 4  # no UTF-8 text starts with a continuation byte


@pytest.mark.parametrize("load", ["otel", "openhands", "tau2-bench", "openhands-gz"])
def test_a_binary_file_where_text_is_expected_names_the_file(tmp_path, load):
    from routerlab.workloads import load as load_format
    from routerlab.workloads import load_otel

    if load == "openhands-gz":
        path = tmp_path / "output.jsonl.gz"
        path.write_bytes(gzip.compress(BINARY))
        load = "openhands"
    else:
        path = tmp_path / "export.jsonl"
        path.write_bytes(BINARY)
    with pytest.raises(DatasetError, match="not UTF-8 text") as info:
        load_otel(path) if load == "otel" else load_format(load, path)
    assert str(path) in str(info.value)


def _table(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "models.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def _shipped_without(*dropped: str) -> str:
    with default_table_path().open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        kept = [c for c in reader.fieldnames or [] if c not in dropped]
    out = io.StringIO()
    writer = csv.DictWriter(out, kept, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize("text, says", [
    (BINARY, "is not a UTF-8 CSV"),
    ("", "lacks column(s)"),
    (_shipped_without().splitlines()[0] + "\n", "has a header but no models"),
    # without the flag columns every model would have read as lacking vision and tools
    (_shipped_without("vision", "tools"), "lacks column(s) ['vision', 'tools']"),
])
def test_a_model_table_that_is_not_a_table(tmp_path, text, says):
    assert len(Catalog.from_csv(_table(tmp_path, _shipped_without()))) == len(Catalog.default())  # the writer is faithful
    with pytest.raises(PriceTableError, match=re.escape(says)):
        Catalog.from_csv(_table(tmp_path, text))


def test_an_empty_eval_set_file(tmp_path):
    from routerlab.evalset import load_evalset

    (tmp_path / "e.csv").write_text("")
    with pytest.raises(DatasetError, match="is empty: an eval set needs a header"):
        load_evalset(tmp_path / "e.csv")


@pytest.mark.parametrize("text, says", [
    ("candidate,n\nllm:anthropic:claude-haiku-4-5,10\n", "lacks column(s) ['correct', 'accuracy', 'cost_per_1k_usd']"),
    ("", "cannot read the calibration table"),
    (BINARY, "cannot read the calibration table"),
])
def test_a_users_calibration_table_that_is_not_one(tmp_path, text, says):
    from routerlab.quality import tier_table

    path = tmp_path / "calibration_mine.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(DatasetError, match=re.escape(says)) as info:
        tier_table(calibration_tables=[path])
    assert str(path) in str(info.value)


def test_no_data_mirror_anywhere_says_what_to_set(tmp_path, monkeypatch):
    from routerlab.datasets import registry

    monkeypatch.delenv("ROUTERLAB_DATA_DIR", raising=False)
    monkeypatch.setenv("ROUTERLAB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(registry, "_beside_checkout", lambda: None)  # as on a machine without ../shared/data
    with pytest.raises(DatasetError) as info:
        registry.fetch("trajectories/claude-code_transcripts_marot-spotter.tar.gz", download=False)
    said = str(info.value)
    assert "ROUTERLAB_DATA_DIR is not set" in said and "no shared/data mirror" in said
    assert str(tmp_path / "cache" / "data") in said and "trajectories/, outcomes/ and quality/" in said


@pytest.mark.parametrize("quality, cost, says", [
    ([["right"], ["wrong"]], [[0.1], [0.1]], "quality must be numbers"),
    ([[1.0], [float("inf")]], [[0.1], [0.1]], "quality has inf"),
    ([[1.0], [0.0]], [[0.1], [-0.1]], "cost must be USD >= 0"),
    ([[1.0], [0.0]], [["cheap"], [0.1]], "cost must be numbers"),
])
def test_a_users_own_outcome_table_with_bad_cells(quality, cost, says):
    import pandas as pd

    from routerlab.datasets import OutcomeTable
    from routerlab.datasets.table import PROMPT_COLUMNS

    prompts = pd.DataFrame({c: ["a", "b"] for c in PROMPT_COLUMNS})
    with pytest.raises(DatasetError, match=re.escape(says)):
        OutcomeTable("mine", prompts, ["m"], quality, cost)


@pytest.mark.parametrize("where", ["a corrupt file", "under a file"])
def test_an_embedding_cache_that_cannot_be_opened_still_embeds_with_a_warning(tmp_path, where):
    import numpy as np

    from routerlab.embeddings import DIM, EmbeddingCache

    if where == "a corrupt file":
        path = tmp_path / "minilm.sqlite"
        path.write_bytes(BINARY * 8)
    else:
        (tmp_path / "cache").write_text("a file where ROUTERLAB_CACHE_DIR points")
        path = tmp_path / "cache" / "embeddings" / "minilm.sqlite"
    cache = EmbeddingCache(path)
    vec = np.arange(DIM, dtype=np.float32)
    with pytest.warns(UserWarning, match="cannot be used .*set ROUTERLAB_CACHE_DIR to a writable folder"):
        cache.put_many([("k", vec)])
    assert np.array_equal(cache.get_many(["k"])["k"], vec)  # kept for this process
    if where == "a corrupt file":
        assert path.read_bytes() == BINARY * 8  # the file is left as it was, not overwritten


def test_a_negative_thread_count_in_the_environment_is_refused(monkeypatch):
    from routerlab.config import embed_threads
    from routerlab.errors import InvalidRequestError

    monkeypatch.setenv("ROUTERLAB_EMBED_THREADS", "-1")
    with pytest.raises(InvalidRequestError, match="thread count >= 0"):
        embed_threads()
