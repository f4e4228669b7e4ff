"""The main job: `routerlab demo` prices and times the same 50-call task under both policies."""

import pytest

from routerlab.cli import main, run_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "demo.html"
    return run_demo(out=out)


def test_both_policies_cover_the_same_fifty_calls(demo):
    table = demo["table"]
    assert list(table.index) == ["all to anthropic:claude-opus-4-5", "routed by tier"]
    assert (table["calls"] == 50).all()
    top, routed = (demo["results"][name].frame for name in table.index)
    assert set(top["model"]) == {"anthropic:claude-opus-4-5"}
    assert set(routed["model"]) >= {"anthropic:claude-opus-4-5", "anthropic:claude-sonnet-4-5"}
    assert (top[["input_tokens", "output_tokens"]].to_numpy() == routed[["input_tokens", "output_tokens"]].to_numpy()).all()


def test_routed_calls_are_faster_on_smaller_models(demo):
    table = demo["table"]
    assert table.loc["routed by tier", "llm_s"] < table.loc["all to anthropic:claude-opus-4-5", "llm_s"]


def test_report_is_self_contained_html_with_the_timeline(demo):
    html = demo["report"].read_text()
    assert html.startswith("<!doctype html>")
    assert "plotly" in html and "routed by tier: 50 calls" in html
    assert "cannot know whether a cheaper model would have succeeded" in html


def test_report_explains_why_the_same_model_costs_more_routed_with_the_run_numbers(demo):
    html = demo["report"].read_text()
    assert "A prompt cache belongs to one model" in html  # the terminal's paragraph is on the page
    top, routed = (demo["results"][n].frame for n in demo["table"].index)
    orch_r, orch_t = (f[f.tier == "orchestrator"] for f in (routed, top))
    assert set(orch_r["model"]) == set(orch_t["model"])  # the same model under both policies
    more = orch_r["cost_usd"].sum() > orch_t["cost_usd"].sum()
    sentence = next(p for p in html.split("<p>") if p.startswith("The orchestrator tier"))
    assert f"${orch_r['cost_usd'].sum():.4f}" in sentence and f"${orch_t['cost_usd'].sum():.4f}" in sentence
    assert ("costs more routed" in sentence) == more
    assert f"{int(orch_r['cached_tokens'].sum()):,}" in sentence  # the cached tokens that explain it


def test_cli_prints_the_side_by_side_table(capsys, tmp_path):
    assert main(["demo", "--out", str(tmp_path / "r.html"), "--tier", "coder=openai:gpt-4.1-mini"]) == 0
    out = capsys.readouterr().out
    assert "all to anthropic:claude-opus-4-5" in out and "routed by tier" in out
    assert "coder" in out and "gpt-4.1-mini" in out
    assert (tmp_path / "r.html").exists()
    # the terminal's cache paragraph is the page's, with this run's cached/input price ratios
    flat, page = " ".join(out.split()), " ".join((tmp_path / "r.html").read_text().split())
    assert "providers bill cached input at a fraction of the input price (" in flat
    same = "A prompt cache belongs to one model: a call reads from cache at most what its model already saw"
    assert same in flat and same in page


def test_cli_reports_bad_input_as_a_typed_error(capsys):
    assert main(["demo", "--no-report", "--tier", "vision=local:smollm2-135m"]) == 2
    assert "CapabilityError" in capsys.readouterr().err


def test_demo_help_explains_every_option(capsys):
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    lines = capsys.readouterr().out.split("options:", 1)[1].splitlines()
    for opt in ("--calls", "--out", "--no-report", "--task", "--top", "--tier"):
        i = next(i for i, ln in enumerate(lines) if ln.strip().startswith(opt))
        same_line = lines[i].strip().split("  ", 1)[1:]  # help text after the option, or on the next line
        text = (same_line[0] if same_line else lines[i + 1]).strip()
        assert len(text.split()) >= 3, f"{opt} has no help text"
    assert "wall_s" not in "\n".join(lines)


def test_report_states_the_cache_price_and_the_dearer_tier_from_the_run(demo):
    from routerlab.catalog import Catalog

    html = demo["report"].read_text()
    opus = Catalog.default().get("anthropic:claude-opus-4-5")
    # "a fraction of the input price" is the catalog's own ratio, not a word
    assert f"claude-opus-4-5 x{opus.cached_input_price / opus.input_price:.2f}" in html
    top, routed = (demo["results"][n].frame for n in demo["table"].index)
    dearer = routed[routed.tier == "orchestrator"]["cost_usd"].sum() > top[top.tier == "orchestrator"]["cost_usd"].sum()
    assert ("Why the orchestrator tier costs more when routed" in html) == dearer


def test_findings_choose_each_direction_word_from_the_numbers_beside_it():
    # the synthetic task's orchestrator calls share no context: the same model costs the same under
    # both policies, and the page must not call that "less" (nor the routed run's speed a reason
    # when it is not faster)
    from routerlab.demo_report import cache_findings

    result = run_demo(out=None, source="synthetic")
    tier_sentence, running = cache_findings(result["results"])
    top, routed = (result["results"][n] for n in result["table"].index)
    orch = [f.loc[f.tier == "orchestrator", "cost_usd"].sum() for f in (routed.frame, top.frame)]
    assert f"{orch[0]:.4f}" == f"{orch[1]:.4f}"
    assert "costs the same" in tier_sentence and "less" not in tier_sentence.split("Its")[0]
    assert ("answer sooner" in running) == (routed.totals["llm_s"] < top.totals["llm_s"])
    assert " 1 calls " not in " ".join(cache_findings(run_demo(n_calls=10, out=None)["results"]))
