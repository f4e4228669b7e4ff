"""The catalog's prices against the providers' published prices, worked to the cent."""

import pytest

from routerlab import PriceTableError, UnknownModelError, Usage
from routerlab.catalog import Catalog, cost_of

# (model, input, output, cached input) in USD per million tokens, as published by the
# providers' pricing pages (Anthropic: claude.com/pricing; OpenAI: openai.com/api/pricing).
PUBLISHED = [
    ("anthropic:claude-opus-4-5", 5.00, 25.00, 0.50),
    ("anthropic:claude-sonnet-4-5", 3.00, 15.00, 0.30),
    ("anthropic:claude-haiku-4-5", 1.00, 5.00, 0.10),
    ("openai:gpt-4o", 2.50, 10.00, 1.25),
    ("openai:gpt-4o-mini", 0.15, 0.60, 0.075),
    ("openai:gpt-4.1", 2.00, 8.00, 0.50),
    ("openai:gpt-4.1-mini", 0.40, 1.60, 0.10),
]


@pytest.fixture(scope="module")
def catalog():
    return Catalog.default()


@pytest.mark.parametrize("model,inp,out,cached", PUBLISHED)
def test_prices_match_published(catalog, model, inp, out, cached):
    m = catalog.get(model)
    assert (m.input_price, m.output_price, m.cached_input_price) == pytest.approx((inp, out, cached))
    assert m.price_source and m.price_date


@pytest.mark.parametrize(
    "model,usage,dollars",
    [
        # 1,034,567 fresh x $3 + 200,000 cached x $0.30 + 345,678 out x $15 = $8.348871
        ("anthropic:claude-sonnet-4-5", Usage(1_234_567, 345_678, 200_000), 8.35),
        # 50 calls of 3,000 in / 800 out on Opus 4.5: 150,000 x $5 + 40,000 x $25 = $1.75
        ("anthropic:claude-opus-4-5", Usage(150_000, 40_000), 1.75),
        # the same on Haiku 4.5: 150,000 x $1 + 40,000 x $5 = $0.35
        ("anthropic:claude-haiku-4-5", Usage(150_000, 40_000), 0.35),
        # GPT-4o with half the prompt cached: 500k x $2.50 + 500k x $1.25 + 100k x $10 = $2.875
        ("openai:gpt-4o", Usage(1_000_000, 100_000, 500_000), 2.88),
        # GPT-4o-mini: 2M x $0.15 + 1M x $0.60 = $0.90
        ("openai:gpt-4o-mini", Usage(2_000_000, 1_000_000), 0.90),
        # a local model costs nothing
        ("local:smollm2-135m", Usage(1_000_000, 1_000_000), 0.0),
    ],
)
def test_cost_of_worked_examples_to_the_cent(model, usage, dollars):
    assert round(cost_of(model, usage), 2) == pytest.approx(dollars)


def test_aliases_and_bare_names_resolve(catalog):
    assert catalog.get("sonnet").id == "anthropic:claude-sonnet-4-5"
    assert catalog.get("gpt-4o-mini").id == "openai:gpt-4o-mini"
    assert catalog.resolve("smollm2") == "local:smollm2-135m"


def test_required_models_are_present(catalog):
    ids = catalog.ids()
    for prefix in ("anthropic:claude-opus", "anthropic:claude-sonnet", "anthropic:claude-haiku", "openai:gpt-4o"):
        assert any(i.startswith(prefix) for i in ids), prefix
    assert catalog.ids("ollama") and catalog.ids("local")
    assert all(catalog.get(i).is_free for i in catalog.ids("local") + catalog.ids("ollama"))


def test_outcome_table_models_are_priced(catalog):
    gpt4 = catalog.get("routerbench:gpt-4-1106-preview")
    mistral = catalog.get("routerbench:mistral-7b-chat")
    assert gpt4.input_price == 10 and gpt4.output_price == 30
    assert mistral.input_price < gpt4.input_price / 10


def test_every_row_has_a_latency_source(catalog):
    for m in catalog:
        assert m.latency.ttft_s >= 0 and m.latency.output_tps > 0
        assert m.latency.source, m.id


def test_unknown_model_names_the_value_and_suggests(catalog):
    with pytest.raises(UnknownModelError, match="claude-sonet") as err:
        catalog.get("anthropic:claude-sonet-4-5")
    assert "claude-sonnet-4-5" in str(err.value)


def test_negative_tokens_are_refused():
    with pytest.raises(ValueError, match="output_tokens"):
        Usage(10, -1)
    with pytest.raises(ValueError, match="cached_tokens"):
        Usage(10, 1, 11)


HEADER = (
    "id,aliases,genai_prices_ref,input_price,output_price,cached_input_price,price_source,price_date,"
    "context_window,max_output_tokens,vision,tools,structured_output,code,ttft_s,output_tps,latency_source\n"
)


@pytest.mark.parametrize(
    "row,message",
    [
        ("x:y,,,abc,1,,src,2024-01,1000,100,0,0,0,0,1,10,s", "input_price.*'abc'"),
        ("x:y,,,-1,1,,src,2024-01,1000,100,0,0,0,0,1,10,s", "input_price.*>= 0"),
        ("nocolon,,,1,1,,src,2024-01,1000,100,0,0,0,0,1,10,s", "provider:model"),
        ("x:y,,,1,1,,,,1000,100,0,0,0,0,1,10,s", "price_source"),
        ("x:y,,,1,1,,src,2024-01,1000,100,maybe,0,0,0,1,10,s", "vision"),
        ("x:y,,nosuch/model-zz,,,,,,1000,100,0,0,0,0,1,10,s", "genai-prices has no"),
    ],
)
def test_malformed_price_rows_name_line_and_column(tmp_path, row, message):
    table = tmp_path / "models.csv"
    table.write_text(HEADER + "ok:model,,,1,2,,src,2024-01,1000,100,0,0,0,0,1,10,s\n" + row + "\n")
    with pytest.raises(PriceTableError, match=message) as err:
        Catalog.from_csv(table)
    assert "line 3" in str(err.value)


def test_catalog_frame_has_one_row_per_model(catalog):
    df = catalog.to_frame()
    assert len(df) == len(catalog)
    assert {"input_per_mtok", "vision", "latency_source"} <= set(df.columns)
