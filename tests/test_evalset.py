"""The project's own eval set: size, balance, a fixed stratified split, no leakage, typed errors."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pandas as pd
import pytest

from routerlab.errors import DatasetError
from routerlab.evalset import KIND_TO_TIER, TIERS, default_evalset_path, load_evalset, to_requests

ROOT = Path(__file__).resolve().parent.parent
CSV = ROOT / "routerlab" / "_data" / "evalset" / "agent_requests.csv"


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return load_evalset()


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()


def test_default_path_is_the_committed_file():
    assert default_evalset_path().resolve() == CSV.resolve()


def test_size_and_every_tier_and_kind_is_well_represented(df):
    assert len(df) >= 400
    counts = df["tier"].value_counts()
    assert set(counts.index) == set(TIERS)
    assert counts.min() >= 0.15 * len(df), counts.to_dict()
    kinds = df["kind"].value_counts()
    assert set(kinds.index) == set(KIND_TO_TIER)
    assert kinds.min() >= 20, kinds.to_dict()


def test_split_is_seventy_thirty_and_stratified_by_kind(df):
    frac = (df["split"] == "test").mean()
    assert 0.28 <= frac <= 0.32
    for kind, group in df.groupby("kind"):
        k_frac = (group["split"] == "test").mean()
        assert abs(k_frac - 0.30) <= 0.03, (kind, k_frac)


def test_split_is_fixed_rebuilding_reproduces_the_committed_file(tmp_path):
    spec = importlib.util.spec_from_file_location("evalset_build", ROOT / "data" / "evalset" / "build.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    out = tmp_path / "rebuilt.csv"
    build.build(out)
    assert out.read_bytes() == CSV.read_bytes()


def test_no_duplicates_and_no_identical_text_across_splits(df):
    norm = df["text"].map(_norm)
    assert not norm.duplicated().any(), df[norm.duplicated(keep=False)]["text"].tolist()
    assert not df["id"].duplicated().any()
    train, test = set(norm[df["split"] == "train"]), set(norm[df["split"] == "test"])
    assert not train & test


def test_row_properties_match_the_label_guide(df):
    vision = df["tier"] == "vision"
    assert (df.loc[vision, "image_refs"] != "").all()
    assert (df.loc[~vision, "image_refs"] == "").all()
    assert (df.loc[df["kind"] == "summarize_long", "input_tokens"] > 0).all()
    amb = df[df["ambiguous"]]
    assert len(amb) >= 20 and (amb["label_note"].str.len() > 10).all()
    assert set(df["kind"].map(KIND_TO_TIER)) == set(TIERS)
    assert (df["kind"].map(KIND_TO_TIER) == df["tier"]).all()


def test_split_argument_filters(df):
    test = load_evalset(split="test")
    assert len(test) == (df["split"] == "test").sum()
    assert set(test["split"]) == {"test"}
    with pytest.raises(DatasetError, match="split"):
        load_evalset(split="validation")


def test_to_requests_hides_the_label_and_carries_images_and_context(df):
    sub = pd.concat([df[df["tier"] == "vision"].head(2), df[df["kind"] == "summarize_long"].head(2)])
    reqs = to_requests(sub)
    assert [r.kind for r in reqs] == ["general"] * 4
    assert reqs[0].metadata["image_refs"] and reqs[0].estimated_input_tokens() >= 1600
    long_row = sub.iloc[2]
    assert reqs[2].estimated_input_tokens() >= long_row["input_tokens"]
    assert reqs[2].text() == long_row["text"]


def _write(tmp_path: Path, df: pd.DataFrame) -> Path:
    p = tmp_path / "bad.csv"
    df.to_csv(p, index=False)
    return p


@pytest.mark.parametrize(
    ("column", "value", "match"),
    [
        ("tier", "planner", "tier 'planner'"),
        ("kind", "poetry", "unknown kind"),
        ("kind", "code_edit", "belongs to tier"),
        ("split", "dev", "split 'dev'"),
        ("input_tokens", "-5", "input_tokens"),
        ("text", "  ", "empty text"),
        ("ambiguous", "maybe", "ambiguous"),
    ],
)
def test_malformed_rows_raise_a_dataset_error_naming_the_line(tmp_path, column, value, match):
    raw = pd.read_csv(CSV, dtype=str, keep_default_na=False).head(5)
    raw.loc[2, column] = value
    if column == "kind" and value == "code_edit":
        raw.loc[2, "tier"] = "classifier"
    with pytest.raises(DatasetError, match=match) as info:
        load_evalset(_write(tmp_path, raw))
    assert "CSV line 4" in str(info.value)


def test_missing_column_duplicate_ids_and_missing_file(tmp_path):
    raw = pd.read_csv(CSV, dtype=str, keep_default_na=False).head(5)
    with pytest.raises(DatasetError, match="lacks column"):
        load_evalset(_write(tmp_path, raw.drop(columns=["split"])))
    dup = raw.copy()
    dup.loc[3, "id"] = dup.loc[1, "id"]
    with pytest.raises(DatasetError, match="duplicate id"):
        load_evalset(_write(tmp_path, dup))
    with pytest.raises(DatasetError, match="not found"):
        load_evalset(tmp_path / "nope.csv")
