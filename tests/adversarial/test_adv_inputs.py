"""Wrong types and values at the public API: each is a typed routerlab error naming the value and
the fix, raised before any network (no server is needed for any of these)."""

from __future__ import annotations

import math
import re

import pytest

from routerlab.catalog import Catalog
from routerlab.client import Client
from routerlab.errors import InvalidRequestError, RouterlabError, TierError
from routerlab.tiers import TierMap
from routerlab.types import Image, Message, Request

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 16


@pytest.mark.parametrize("kwargs, says", [
    ({"system": 123}, "system"),
    ({"metadata": None}, "metadata"),
    ({"max_output_tokens": True}, "max_output_tokens"),
    ({"max_output_tokens": "16"}, "max_output_tokens"),
    ({"temperature": "hot"}, "temperature"),
    ({"temperature": math.nan}, "temperature"),
    ({"temperature": -1}, "temperature"),
    ({"kind": 7}, "kind"),
    ({"images": PNG}, "images"),
    ({"response_schema": "json"}, "response_schema"),
])
def test_bad_request_fields(kwargs, says):
    with pytest.raises(InvalidRequestError, match=says):
        Request.user("hi", **kwargs)


def test_messages_as_a_string_is_refused_with_the_right_form():
    with pytest.raises(InvalidRequestError, match=r"Request.user\('text'\)"):
        Request(messages="hello")  # type: ignore[arg-type]
    with pytest.raises(InvalidRequestError, match="not a Message"):
        Request(messages=[42])  # type: ignore[list-item]


def test_openai_style_dicts_are_converted():
    r = Request(messages=[{"role": "system", "content": "be brief"},  # type: ignore[list-item]
                          {"role": "user", "content": "hi"},
                          {"role": "assistant", "content": [{"type": "text", "text": "hello"}]},
                          {"role": "user", "content": "and?"}])
    assert r.system == "be brief"
    assert r.messages == (Message("user", "hi"), Message("assistant", "hello"), Message("user", "and?"))
    with pytest.raises(InvalidRequestError, match="'role': 'user', 'content': 'text'"):
        Request(messages=[{"role": "user", "content": {"x": 1}}])  # type: ignore[list-item]
    with pytest.raises(InvalidRequestError, match="role"):
        Request(messages=[{"role": "tool", "content": "x"}])  # type: ignore[list-item]


@pytest.mark.parametrize("where", ["prompt", "system"])
def test_lone_surrogate_is_refused_before_sending(where):
    bad = "caf\udce9 au lait"  # what open(..., errors='surrogateescape') leaves from latin-1 bytes
    with pytest.raises(InvalidRequestError, match="surrogate.*character 3"):
        Request.user(bad) if where == "prompt" else Request.user("hi", system=bad)


def test_image_bytes_must_be_the_declared_format():
    assert Image(PNG).media_type == "image/png" and Image(JPEG, "image/jpeg")
    with pytest.raises(InvalidRequestError, match="pass media_type='image/jpeg'"):
        Image(JPEG, "image/png")
    with pytest.raises(InvalidRequestError, match="not a PNG, JPEG, GIF or WebP"):
        Image(b"hello, I am text", "image/png")
    with pytest.raises(InvalidRequestError, match="bytes"):
        Image("iVBORw0KGgo=", "image/png")  # type: ignore[arg-type]


@pytest.mark.parametrize("kwargs, says", [
    ({"budget_usd": "1"}, "budget_usd"),
    ({"budget_usd": -1}, "budget_usd"),
    ({"max_concurrency": "8"}, "max_concurrency=8"),
    ({"max_concurrency": 0}, "max_concurrency"),
    ({"timeout_s": 0}, "timeout_s"),
    ({"timeout_s": -1}, "timeout_s"),
    ({"timeout_s": math.nan}, "timeout_s"),
    ({"timeout_s": math.inf}, "timeout_s"),
])
def test_bad_client_settings_fail_at_construction(kwargs, says):
    with pytest.raises(InvalidRequestError, match=says):
        Client(**kwargs)


@pytest.mark.parametrize("kind", ["openai", "anthropic", "ollama"])
@pytest.mark.parametrize("timeout", [0, -1, math.nan])
def test_bad_provider_timeouts_fail_at_construction(kind, timeout):
    from routerlab.providers.anthropic import AnthropicProvider
    from routerlab.providers.ollama import OllamaProvider
    from routerlab.providers.openai import OpenAIProvider

    make = {"openai": lambda: OpenAIProvider(api_key="k", timeout_s=timeout),
            "anthropic": lambda: AnthropicProvider(api_key="k", timeout_s=timeout),
            "ollama": lambda: OllamaProvider(timeout_s=timeout)}[kind]
    with pytest.raises(InvalidRequestError, match="timeout_s"):
        make()


def test_model_and_tier_of_the_wrong_type():
    c = Client()
    for bad in (123, None, ["openai:gpt-4.1-mini"]):
        with pytest.raises(RouterlabError, match="str"):
            c.catalog.resolve(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidRequestError, match="model is named by a str"):
        c.complete(Request.user("hi"), model=123)  # type: ignore[arg-type]
    with pytest.raises(TierError, match="tier is named by a str"):
        c.complete(Request.user("hi"), tier=["coder"])  # type: ignore[arg-type]
    tiers = TierMap.default(Catalog.default())
    with pytest.raises(InvalidRequestError, match="model is named by a str"):
        tiers.swap("coder", None)  # type: ignore[arg-type]


def test_tiers_from_something_that_is_not_a_mapping_of_model_ids():
    with pytest.raises(TierError, match="mapping of tier name"):
        TierMap.from_mapping(["coder"])  # type: ignore[arg-type]
    with pytest.raises(TierError, match="tier 'coder': give a model id or a list"):
        TierMap.from_mapping({"coder": 5})  # type: ignore[dict-item]
    with pytest.raises(TierError, match="tier is named by a str"):
        TierMap.from_mapping({3: "sonnet"})  # type: ignore[dict-item]


def test_cost_of_with_a_dict_says_to_build_a_usage():
    from routerlab.catalog import cost_of

    with pytest.raises(InvalidRequestError, match=r"Usage\(\*\*usage\)"):
        cost_of("sonnet", {"input_tokens": 1000, "output_tokens": 500})  # type: ignore[arg-type]


def _calls(**change):
    import pandas as pd

    row = dict(task_id="t", agent="main", kind="edit", input_tokens=1000, output_tokens=100, cached_tokens=0,
               model="anthropic:claude-sonnet-4-5", start=0.0, duration_s=2.0)
    frame = pd.DataFrame([row, {**row, "start": 5.0}, {**row, "start": 9.0}])
    for col, value in change.items():
        frame[col] = frame[col].astype(object)
        frame.loc[1, col] = value
    return frame


@pytest.mark.parametrize("change, says", [
    ({"input_tokens": "lots"}, "'input_tokens' holds values that are not numbers"),
    ({"output_tokens": math.nan}, "'output_tokens' is empty (NaN)"),
    ({"input_tokens": 10.5}, "not whole numbers"),
    ({"start": math.nan}, "'start' is not a finite number of seconds"),
    ({"duration_s": math.inf}, "'duration_s' is not a finite number of seconds"),
    ({"duration_s": "2s"}, "'duration_s' holds values that are not numbers"),
])
def test_a_users_own_calls_with_a_bad_cell_name_the_column_and_row(change, says):
    from routerlab.errors import DatasetError
    from routerlab.workloads import Workload

    with pytest.raises(DatasetError, match=re.escape(says)) as info:
        Workload(_calls(**change), name="mine")
    assert "rows [1]" in str(info.value) and "'mine'" in str(info.value)


def test_unreported_cache_tokens_still_count_as_none():
    from routerlab.workloads import Workload

    w = Workload(_calls(cached_tokens=math.nan))
    assert w.frame["cached_tokens"].tolist() == [0, 0, 0]


def test_simulate_and_compare_refuse_what_is_not_a_workload_or_a_policy():
    from routerlab.errors import ConfigurationError
    from routerlab.simulate import compare, simulate
    from routerlab.workloads import Workload

    with pytest.raises(ConfigurationError, match=r"Workload\(frame\)"):
        simulate(_calls(), TierMap.default())  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="non-empty mapping"):
        compare(Workload(_calls()), {})
    with pytest.raises(InvalidRequestError, match="DataFrame"):
        Workload([1, 2, 3])  # type: ignore[arg-type]


@pytest.mark.parametrize("kwargs, says", [
    ({"budget_usd": -1}, "budget_usd"),
    ({"budget_usd": math.nan}, "budget_usd"),
    ({"wall_s": 0}, "wall_s"),
    ({"max_calls": 0}, "max_calls"),
    ({"max_calls": 2.5}, "max_calls"),
])
def test_orchestrator_limits_that_cannot_be_met_fail_at_construction(kwargs, says):
    from routerlab.orchestrator import Limits

    with pytest.raises(InvalidRequestError, match=f"Limits.{says}"):
        Limits(**kwargs)


@pytest.mark.parametrize("make, X, says", [
    ("knn", "texts, not embeddings", "fit needs numbers"),
    ("knn", "nan", "X has NaN or inf in 1 rows (first [3])"),
    ("knn-nan-weight", None, "cost_weight must be a finite number >= 0"),
    ("logistic-negative-C", None, "C (inverse regularisation) must be a finite number > 0"),
])
def test_fitting_a_learned_router_on_bad_inputs_names_the_input(make, X, says):
    import numpy as np

    from routerlab.routers import KNNRouter, LogisticRouter

    rng = np.random.default_rng(0)
    good = rng.random((12, 4))
    quality = rng.integers(0, 2, (12, 2)).astype(float)
    router = {"knn": KNNRouter(k=3), "knn-nan-weight": KNNRouter(k=3, cost_weight=math.nan),
              "logistic-negative-C": LogisticRouter(C=-1.0)}[make]
    if X == "nan":
        X = good.copy()
        X[3, 1] = np.nan
    with pytest.raises(InvalidRequestError, match=re.escape(says)):
        router.fit(good if X is None else X, quality)


def test_a_policy_key_that_is_no_kind_or_tier_is_named_as_a_typo():
    from routerlab.errors import RoutingError
    from routerlab.simulate import simulate
    from routerlab.workloads import Workload

    with pytest.raises(RoutingError, match=re.escape("['codr'] name no step kind or tier of this workload")):
        simulate(Workload(_calls()), {"codr": "openai:gpt-4.1-mini"})


def test_quality_and_search_inputs_of_the_wrong_shape():
    import pandas as pd

    from routerlab.errors import ConfigurationError
    from routerlab.quality import policy_search, tier_table
    from routerlab.simulate import compare
    from routerlab.workloads import Workload

    w = Workload(_calls())
    with pytest.raises(ConfigurationError, match="tiers must be a TierMap"):
        tier_table(tiers="coder")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match=r"pass routerlab.quality.tier_table\(tiers\)"):
        compare(w, {"as run": "as recorded"}, quality=pd.DataFrame({"x": [1]}))
    # one model given as a string is one candidate (it was read letter by letter: "unknown model 's'")
    found = policy_search(w, {"coder": "anthropic:claude-sonnet-4-5"})
    assert set(found.frame["coder"]) == {"anthropic:claude-sonnet-4-5"}


def test_a_folder_given_as_the_span_file_says_it_is_a_folder(tmp_path):
    from routerlab.errors import DatasetError
    from routerlab.workloads import load_otel

    with pytest.raises(DatasetError, match="is a folder: give the span file in it"):
        load_otel(tmp_path)


@pytest.mark.parametrize("build, says", [
    (lambda: Client(tiers={"coder": "openai:gpt-4.1"}), r"TierMap.from_mapping\("),
    (lambda: Client(catalog="models.csv"), r"Catalog.from_csv\(path\)"),
    (lambda: TierMap(["coder"]), "TierMap takes TierSpec objects"),
    (lambda: Catalog.default().with_models("openai:gpt-4.1"), "with_models takes ModelInfo"),
])
def test_objects_built_from_the_wrong_thing_say_which_builder_to_use(build, says):
    with pytest.raises(RouterlabError, match=says):
        build()


def test_an_orchestrator_over_the_wrong_things():
    from routerlab.errors import ConfigurationError
    from routerlab.orchestrator import Orchestrator

    with pytest.raises(ConfigurationError, match="over a routerlab Client"):
        Orchestrator(None)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match=re.escape("write Limits(**limits)")):
        Orchestrator(Client(), limits={"max_calls": 3})  # type: ignore[arg-type]


def test_calibrate_on_something_that_is_not_the_eval_set():
    from routerlab.errors import DatasetError
    from routerlab.routers.calibrate import calibrate
    from routerlab.routers.classifier import KeywordClassifier

    with pytest.raises(DatasetError, match=re.escape("load_evalset()")):
        calibrate([("keyword", KeywordClassifier())], [["refund my order", "classifier"]])  # type: ignore[arg-type]


@pytest.mark.parametrize("threshold", [5, -0.1, 1.5, math.nan, math.inf, "0.5", True])
def test_a_threshold_router_refuses_a_threshold_that_is_no_probability_at_construction(threshold):
    from routerlab.routers import ThresholdRouter

    with pytest.raises(InvalidRequestError, match=r"ThresholdRouter threshold must be .*\[0, 1\].*P\(strong wins\)"
                                                  r".*got .*calibrate_threshold"):
        ThresholdRouter("strong", "weak", threshold=threshold)


def test_a_threshold_set_after_construction_is_refused_at_fit_and_a_nan_sweep_point_per_call():
    import numpy as np

    from routerlab.routers import ThresholdRouter

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 4))
    Q = np.column_stack([X[:, 0] > 0, np.zeros(40)]).astype(float)
    router = ThresholdRouter("strong", "weak").set_params(threshold=math.nan)
    with pytest.raises(InvalidRequestError, match="got nan"):
        router.fit(X, Q, ["strong", "weak"])  # NaN sent every prompt to the weak model
    fitted = router.set_params(threshold=0.0).fit(X, Q, ["strong", "weak"])
    assert fitted.route_arrays(X).all() and fitted.route_arrays(X, threshold=1.01).sum() == 0
    with pytest.raises(InvalidRequestError, match="route_arrays threshold is NaN"):
        fitted.route_arrays(X, threshold=math.nan)


@pytest.mark.parametrize("threshold", [math.nan, math.inf, -math.inf, -0.5, 2, None])
def test_a_cascade_refuses_a_threshold_its_verifier_confidence_cannot_be_compared_with(threshold):
    from routerlab.routers.cascade import CascadeRouter

    with pytest.raises(InvalidRequestError, match=r"CascadeRouter threshold must be .*\[0, 1\].*verifier's confidence"
                                                  r".*threshold=0\.5"):
        CascadeRouter(["cheap", "strong"], threshold=threshold)
    assert CascadeRouter(["cheap", "strong"], threshold=1).threshold == 1  # the edges are fine


@pytest.mark.parametrize("threshold", [math.nan, math.inf, -0.1, 1.5, "0.5", None])
def test_a_classifier_router_refuses_a_threshold_its_confidence_cannot_be_compared_with(threshold):
    # NaN sent every request to the fallback tier (every `conf >= nan` is False), silently
    from routerlab.routers.classifier import ClassifierRouter, KeywordClassifier

    with pytest.raises(InvalidRequestError, match=r"ClassifierRouter threshold must be .*\[0, 1\].*confidence"
                                                  r".*threshold=0\.5"):
        ClassifierRouter(KeywordClassifier(), threshold=threshold)
    assert ClassifierRouter(KeywordClassifier(), threshold=0).threshold == 0.0  # the edges are fine


def test_keyword_classifier_fit_on_a_label_it_has_no_keywords_for_names_its_labels():
    from routerlab.routers.classifier import KeywordClassifier

    with pytest.raises(InvalidRequestError, match=re.escape(
            "label(s) 'math', 3 not among this classifier's labels ['vision', 'coder', 'classifier', 'orchestrator']")):
        KeywordClassifier().fit(["x", "y", "z", "w"], ["math", "math", "coder", 3])
    custom = KeywordClassifier(keywords={"math": ["integral"], "chat": ["hello"]}, default="chat")
    assert custom.fit(["a", "b", "c"], ["math", "math", "chat"]).classify("zzz")[0] == "math"  # own labels work
