"""calibrate(): lower confidence bounds, the cheapest qualifying candidate, honest "none"."""

from __future__ import annotations

import pandas as pd
import pytest

from routerlab.errors import BadResponseError, DatasetError, InvalidRequestError, ProviderError
from routerlab.routers.calibrate import calibrate, exact_lower, lower_bound, wilson_lower


@pytest.mark.parametrize(
    ("k", "n", "wilson", "exact"),
    # references: scipy.stats.binomtest(k, n).proportion_ci(0.90, "wilson") (one-sided 95% = two-sided 90%)
    # and scipy.stats.beta.ppf(0.05, k, n - k + 1)
    [(148, 150, 0.9605105523, 0.9586250301), (150, 150, 0.9822826114, 0.9802265618),
     (95, 100, 0.9008389147, 0.8977466224), (1, 10, 0.0226349087, 0.0051161969), (0, 5, 0.0, 0.0)],
)
def test_lower_bounds_match_worked_values(k, n, wilson, exact):
    assert wilson_lower(k, n, 0.95) == pytest.approx(wilson, abs=1e-9)
    assert exact_lower(k, n, 0.95) == pytest.approx(exact, abs=1e-9)
    assert lower_bound(k, n, 0.95, "exact") == pytest.approx(exact, abs=1e-9)


def test_lower_bounds_reject_bad_counts():
    with pytest.raises(InvalidRequestError):
        wilson_lower(5, 4)
    with pytest.raises(InvalidRequestError):
        exact_lower(1, 0)
    with pytest.raises(InvalidRequestError):
        lower_bound(1, 2, method="bayes")


def _frame(n_test: int = 400) -> pd.DataFrame:
    labels = ["coder", "vision"]
    rows = [{"text": f"train {i}", "split": "train", "tier": labels[i % 2]} for i in range(10)]
    rows += [{"text": f"q{i}", "split": "test", "tier": labels[i % 2]} for i in range(n_test)]
    return pd.DataFrame(rows)


class _Fixed:
    """A unit-test double: right on all but every ``wrong_every``-th test text, fixed cost."""

    def __init__(self, name, wrong_every=0, cost=0.0, fail=False):
        self.name, self.wrong_every, self.cost_per_request_usd, self.fail = name, wrong_every, cost, fail
        self.fitted_on = 0

    def fit(self, texts, labels):
        self.fitted_on = len(texts)
        return self

    def classify(self, text):
        if self.fail:
            raise BadResponseError("no answer", provider="test")
        i = int(text[1:])
        truth = ["coder", "vision"][i % 2]
        if self.wrong_every and i % self.wrong_every == 0:
            return ("vision" if truth == "coder" else "coder"), 0.5
        return truth, 0.9


def test_picks_the_cheapest_candidate_whose_lower_bound_clears_the_target():
    cands = [
        _Fixed("big", wrong_every=0, cost=0.010),      # perfect, expensive
        _Fixed("mid", wrong_every=100, cost=0.001),    # 99% -> lower bound ~0.977: qualifies
        _Fixed("cheap", wrong_every=10, cost=0.0001),  # 90%: accurate-ish but does not qualify
        _Fixed("broken", cost=0.0, fail=True),         # errors: kept in the table, never chosen
    ]
    res = calibrate(cands, _frame(), target=0.95)
    assert res.chosen == "mid" and res.chosen_classifier is cands[1]
    t = res.table.set_index("candidate")
    assert list(t.index) == ["big", "mid", "cheap", "broken"]
    assert t.loc["mid", "accuracy"] == pytest.approx(0.99) and t.loc["mid", "correct"] == 396
    assert t.loc["mid", "lower_bound"] == pytest.approx(wilson_lower(396, 400))
    assert t.loc["mid", "cost_per_1k_usd"] == pytest.approx(1.0)
    assert list(t["qualifies"]) == [True, True, False, False]
    assert t["chosen"].sum() == 1 and "BadResponseError" in t.loc["broken", "error"]
    assert (t["n"] == 400).all() and cands[0].fitted_on == 10
    assert "chose mid" in res.message


def test_equal_cost_ties_go_to_the_faster_candidate():
    class Slow(_Fixed):
        def classify(self, text):
            import time

            time.sleep(0.0005)
            return super().classify(text)

    res = calibrate([Slow("slow"), _Fixed("fast")], _frame(100), target=0.9)
    assert res.chosen == "fast"


def test_reports_honestly_when_no_candidate_qualifies():
    # 95/100 correct is 95% accuracy, but its lower bound is ~0.90: not enough.
    res = calibrate([("a", _Fixed("a", wrong_every=20)), ("b", _Fixed("b", wrong_every=5))], _frame(100), target=0.95)
    assert res.chosen is None and res.chosen_classifier is None
    assert not res.table["qualifies"].any() and not res.table["chosen"].any()
    assert res.message.startswith("none of 2 candidates reaches 95%")
    assert "best is a" in res.message


def test_exact_method_is_stricter_than_wilson_at_the_margin():
    frame = _frame(150)
    cand = _Fixed("x", wrong_every=75)  # 148/150
    assert calibrate([cand], frame, target=0.96, method="wilson").chosen == "x"
    assert calibrate([cand], frame, target=0.96, method="exact").chosen is None


def test_bad_inputs_raise_typed_errors():
    with pytest.raises(InvalidRequestError, match="method"):
        calibrate([_Fixed("a")], _frame(10), method="bootstrap")
    with pytest.raises(DatasetError, match="split"):
        calibrate([_Fixed("a")], _frame(10).drop(columns=["split"]))
    with pytest.raises(InvalidRequestError, match="named"):
        calibrate([_Fixed("a"), _Fixed("a")], _frame(10))
    with pytest.raises(DatasetError, match="no test rows"):
        calibrate([_Fixed("a")], _frame(10).assign(split="train"))
    assert issubclass(BadResponseError, ProviderError)


def test_max_test_limits_the_rows_and_widens_the_bound():
    full = calibrate([_Fixed("a", wrong_every=50)], _frame(400), target=0.9)
    part = calibrate([_Fixed("a", wrong_every=50)], _frame(400), target=0.9, max_test=100)
    assert part.table.loc[0, "n"] == 100
    assert part.table.loc[0, "lower_bound"] < full.table.loc[0, "lower_bound"]


def test_candidates_that_read_requests_get_the_request_properties():
    from routerlab.evalset import load_evalset

    class ImageOnly:
        name = "image-only"
        cost_per_request_usd = 0.0

        def fit(self, texts, labels):
            return self

        def classify(self, text):
            raise AssertionError("calibrate must call classify_request when a candidate has it")

        def classify_request(self, request):
            return ("vision" if request.metadata.get("image_refs") else "coder"), 1.0

    df = load_evalset()
    res = calibrate([ImageOnly()], df, target=0.5)
    test = df[df["split"] == "test"]
    expected = ((test["tier"] == "vision") | (test["tier"] == "coder")).sum()
    assert res.table.loc[0, "correct"] == expected


def test_with_target_reselects_from_the_same_measurements():
    cands = [_Fixed("big", cost=0.01), _Fixed("cheap", wrong_every=10, cost=0.0001)]
    res = calibrate(cands, _frame(), target=0.95)
    assert res.chosen == "big"
    lower = res.with_target(0.85)
    assert lower.chosen == "cheap" and lower.table["chosen"].sum() == 1
    assert res.chosen == "big" and res.table.loc[res.table["candidate"] == "big", "chosen"].item()
    assert res.with_target(0.999).chosen is None


def _texts_frame(n_train: int = 10, n_test: int = 30) -> pd.DataFrame:
    """Real-looking requests of two tiers (the encoder reads them)."""
    def row(i: int, split: str) -> dict[str, str]:
        if i % 2:
            return {"text": f"Where is the Submit button on screenshot {i}?", "split": split, "tier": "vision"}
        return {"text": f"Fix the off-by-one error in function paginate_{i}()", "split": split, "tier": "coder"}

    return pd.DataFrame([row(i, "train") for i in range(n_train)] + [row(100 + i, "test") for i in range(n_test)])


def test_latency_is_a_new_requests_even_when_the_cache_holds_every_text(tmp_path):
    # Before: a candidate timed after another on the same texts (or a second run) timed cache
    # hits, a fraction of a millisecond for a ~14 ms encoder. The encoder here is the real one,
    # slowed by a known sleep per run, so an encoded request costs at least that.
    pytest.importorskip("onnxruntime")
    import time

    from routerlab.embeddings import Embedder, EmbeddingCache
    from routerlab.routers.classifier import EmbeddingClassifier

    sleep_s = 0.01

    class SlowEncoder(Embedder):
        encoded = 0

        def _run(self, encs):
            self.encoded += len(encs)
            time.sleep(sleep_s)
            return super()._run(encs)

    frame = _texts_frame()
    enc = SlowEncoder(threads=1, cache=EmbeddingCache(tmp_path / "c.sqlite"))
    enc.embed(list(frame["text"]))  # every train and test text is in the cache now
    runs = []
    for _ in range(2):
        enc.encoded = 0
        res = calibrate([EmbeddingClassifier(enc)], frame, target=0.5, timed=10)
        row = res.table.iloc[0]
        runs.append(row["latency_ms"])
        assert row["accuracy"] == 1.0 and row["timed"] == 10
        # the warm-up and the 10 timed requests were encoded; fit and the other 19 read the cache
        assert enc.encoded == 1 + 10
        assert row["latency_ms"] >= 1000 * sleep_s  # the encoder's path, not a cache hit
        assert "ms per request (uncached, mean of 10 timed requests)" in res.message
    assert 0.5 < runs[1] / runs[0] < 2  # a second run reports about the same latency


def test_the_warm_up_request_is_run_but_never_timed(monkeypatch):
    # A fake clock: the first call costs 1000 s (a model loading), request qI costs I seconds.
    import types

    from routerlab.routers import calibrate as calibrate_module

    now = [0.0]
    monkeypatch.setattr(calibrate_module, "time", types.SimpleNamespace(perf_counter=lambda: now[0]))

    class Clocked(_Fixed):
        calls = 0

        def classify(self, text):
            self.calls += 1
            now[0] += 1000.0 if self.calls == 1 else float(text[1:])
            return super().classify(text)

    cand = Clocked("c")
    res = calibrate([cand], _frame(20), target=0.5, timed=None)
    row = res.table.iloc[0]
    assert cand.calls == 20 and row["timed"] == 19 and row["correct"] == 20  # each request once
    assert row["latency_ms"] == pytest.approx(1000 * sum(range(1, 20)) / 19)  # q1..q19, not q0's load
    # 5 of 100 timed: spread over the split (mean index near the middle), not its first five
    spread = calibrate([Clocked("d")], _frame(100), target=0.5, timed=5).table.iloc[0]
    assert spread["timed"] == 5 and 30 < spread["latency_ms"] / 1000 < 70


def test_timed_counts_requests_spread_over_the_split():
    # how many are timed: as asked, at most all but the warm-up, the only one when there is one
    frame = _frame(100)
    assert calibrate([_Fixed("a")], frame, timed=7).table.loc[0, "timed"] == 7
    assert calibrate([_Fixed("a")], frame, timed=500).table.loc[0, "timed"] == 99
    assert calibrate([_Fixed("a")], frame).table.loc[0, "timed"] == 50  # the default
    assert calibrate([_Fixed("a")], _frame(1), timed=None).table.loc[0, "timed"] == 1
    for bad in (0, -3, True, 2.5, "all"):
        with pytest.raises(InvalidRequestError, match="timed"):
            calibrate([_Fixed("a")], frame, timed=bad)


def test_recorded_outcomes_keep_their_latency_and_say_nothing_was_timed():
    from routerlab.routers.calibrate import calibrate_outcomes

    res = calibrate_outcomes(["a"], [150], 150, [0.001], latency_s=[0.2])
    assert res.table.loc[0, "latency_ms"] == pytest.approx(200.0) and pd.isna(res.table.loc[0, "timed"])
    assert "200.0 ms per request;" in res.message and "uncached" not in res.message
