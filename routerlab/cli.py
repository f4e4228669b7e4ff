"""``routerlab`` on the command line. ``routerlab demo`` is the main job: a realistic 50-call agent
task, all to the top model vs routed over the four tiers, priced and timed, with an HTML report."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["main", "run_demo", "build_parser"]

# --help shows this, not the module docstring (no reST markup on a terminal)
DESCRIPTION = ("Route each LLM call of an agent to the right model, offline: 'routerlab demo' prices and "
               "times a real 50-call agent task sent all to the top model and routed over the four tiers")
DEMO_DESCRIPTION = ("Replay the first calls of a real recorded agent session (or a task bootstrapped from "
                    "four trajectory sets) under two policies, all to the top model and routed by tier, and "
                    "print cost, wall time, LLM time and calls per tier side by side. No model is called: each "
                    "call keeps its recorded tokens, priced with the catalog and timed with each model's "
                    "latency profile. Reads the data mirror (ROUTERLAB_DATA_DIR, or shared/data beside the "
                    "checkout).")

TOP_TIER = "orchestrator"


def run_demo(n_calls: int = 50, seed: int = 0, out: str | Path | None = "reports/demo.html",
             top_model: str | None = None, tier_models: dict[str, str] | None = None,
             source: str = "real") -> dict[str, Any]:
    """Simulate the task under both policies; return the comparison table and the frames."""
    from .catalog import Catalog
    from .simulate import compare
    from .tiers import TierMap

    catalog = Catalog.default()
    tiers = TierMap.default(catalog)
    for tier, model in (tier_models or {}).items():
        tiers.swap(tier, model)
    top = catalog.get(top_model).id if top_model else tiers.model_for(TOP_TIER).id
    from .workloads.demo import agent_task

    task = agent_task(n_calls, source, seed)
    table = compare(task, {f"all to {top}": f"all:{top}", "routed by tier": tiers}, catalog, quality=_evidence(tiers))
    results = table.attrs["results"]
    report = None
    if out is not None:
        report = _write_report(Path(out), task, table, results, tiers)
    return {"table": table, "results": results, "task": task, "tiers": tiers, "report": report}


def _evidence(tiers: Any) -> Any:
    """The tier-quality table, or None without the data mirror (the demo still prices and times)."""
    from .errors import DatasetError
    from .quality import tier_table

    try:
        return tier_table(tiers)
    except DatasetError:
        return None


def _short(model: str) -> str:
    return model.split(":", 1)[-1]


def _format_table(table: Any) -> str:
    """The side-by-side table: cost, wall time, LLM time, calls per tier (and the model that served them)."""
    results = table.attrs["results"]
    lines = [f"{'policy':<40} {'cost USD':>9} {'wall time':>10} {'LLM time':>9}  calls per tier -> model"]
    for name, row in table.iterrows():
        frame = results[name].frame
        per_tier = frame.groupby("tier", sort=True)["model"].agg(["size", lambda m: ", ".join(sorted(set(map(_short, m))))])
        tiers = "; ".join(f"{tier} {int(r.iloc[0])} -> {r.iloc[1]}" for tier, r in per_tier.iterrows())
        lines.append(f"{name:<40} {row['cost_usd']:>9.4f} {row['wall_s']:>9.1f}s {row['llm_s']:>8.1f}s  {tiers}")
    quality = [c for c in table.columns if c.startswith("quality_")]
    if quality:
        lines.append("measured quality of each tier's model (per-step evidence; no task success is derived from it):")
        for name, row in table.iterrows():
            lines.append(f"  {name}:")
            lines += [f"    {c.removeprefix('quality_'):<13} {row[c]}" for c in sorted(quality)]
            if "measured_combination" in table.columns:  # whole runs as published, beside the per-step rows
                lines += [f"    {'measured':<13} {part}" for part in str(row["measured_combination"]).split(" | ")]
    first, last = table.iloc[0], table.iloc[-1]
    lines.append(
        f"routed / all-top: cost x{last['cost_usd'] / first['cost_usd']:.3f}, "
        f"wall time x{last['wall_s'] / first['wall_s']:.3f}, LLM time x{last['llm_s'] / first['llm_s']:.3f}"
    )
    return "\n".join(lines)


def _write_report(path: Path, task: Any, table: Any, results: dict[str, Any], tiers: Any) -> Path:
    from .demo_report import write_demo_report

    return write_demo_report(path, task, _format_table(table), results, tiers)


def _cmd_demo(args: argparse.Namespace) -> int:
    tier_models = dict(args.tier)
    # the report is written last, so the table is on the terminal even when the report cannot be written
    result = run_demo(args.calls, args.seed, None, args.top, tier_models, args.task)
    task = result["task"]
    print(f"routerlab demo: a {len(task)}-call agent task ({task.name})")
    for note in task.notes:
        print(f"  task: {note}")
    print(f"  tiers: {result['tiers']!r}\n")
    print(_format_table(result["table"]))
    print()
    routed = list(result["results"].values())[-1]
    import textwrap

    from .demo_report import HOW_COMPUTED, cache_findings, cache_price_note

    # the page's own paragraphs, so the terminal and the report say the same
    print(textwrap.fill(f"How this was computed: {HOW_COMPUTED}", 100))
    print(textwrap.fill(cache_price_note(result["tiers"]), 100))
    for finding in cache_findings(result["results"]):
        print(f"  {finding}")
    for note in routed.notes:
        print(f"  - {note}")
    if not args.no_report:
        report = _write_report(Path(args.out), task, result["table"], result["results"], result["tiers"])
        print(f"\nreport: {report}")
    return 0


def _cmd_catalog(args: argparse.Namespace) -> int:
    from .catalog import Catalog

    df = Catalog.default().to_frame()
    cols = ["id", "input_per_mtok", "output_per_mtok", "cached_input_per_mtok", "context_window", "vision", "code",
            "ttft_s", "output_tps", "price_source"]
    print(df[cols].to_string(index=False))
    return 0


def _whole(text: str, least: int, why: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < least:
        raise argparse.ArgumentTypeError(why.format(value=value))
    return value


def _positive_int(text: str) -> int:
    return _whole(text, 1, "{value} calls is not a task: give 1 or more")


def _seed(text: str) -> int:
    return _whole(text, 0, "seeds are whole numbers >= 0, got {value}")


def _tier_swap(text: str) -> tuple[str, str]:
    tier, sep, model = text.partition("=")
    if not sep or not tier.strip() or not model.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not TIER=MODEL (e.g. --tier coder=openai:gpt-4.1-mini)")
    return tier.strip(), model.strip()


def _report_path(text: str) -> str:
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a directory: give a file name such as {path / 'demo.html'}")
    parent = next((p for p in path.absolute().parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is under {parent}, which is a file")
    return text


def build_parser() -> argparse.ArgumentParser:
    """The ``routerlab`` argument parser, with every subcommand."""
    from . import __version__

    parser = argparse.ArgumentParser(prog="routerlab", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"routerlab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="all-top-model vs routed on a realistic 50-call agent task (offline)",
                          description=DEMO_DESCRIPTION)
    demo.add_argument("--calls", type=_positive_int, default=50, metavar="N",
                      help="how many LLM calls the agent task has (default: 50)")
    demo.add_argument("--task", choices=["real", "synthetic"], default="real",
                      help="real: a recorded Claude Code session's first calls (default); synthetic: calls "
                           "bootstrapped from all four trajectory sets")
    demo.add_argument("--seed", type=_seed, default=0, metavar="N",
                      help="which bootstrap sample --task synthetic draws (default: 0)")
    demo.add_argument("--top", metavar="MODEL",
                      help="the model the all-top policy sends every call to (default: the orchestrator tier's model)")
    demo.add_argument("--tier", action="append", default=[], type=_tier_swap, metavar="TIER=MODEL",
                      help="serve a tier with another catalog model, e.g. coder=openai:gpt-4.1-mini "
                           "(repeat per tier; 'routerlab catalog' lists the models)")
    demo.add_argument("--out", default="reports/demo.html", type=_report_path, metavar="PATH",
                      help="where to write the HTML report with the timelines (default: reports/demo.html)")
    demo.add_argument("--no-report", action="store_true",
                      help="print the comparison table only; write no HTML report")
    demo.set_defaults(func=_cmd_demo)
    cat = sub.add_parser("catalog", help="print the model catalog",
                         description="Print every catalog model with its price per million tokens, context "
                                     "window, capabilities, latency profile and where its price comes from.")
    cat.set_defaults(func=_cmd_catalog)
    from .gateway.cli import add_export_parser

    add_export_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .errors import RouterlabError

    try:
        return int(args.func(args))
    except BrokenPipeError:  # the reader went away (routerlab catalog | head): not an error of ours
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (the interpreter flushes stdout at exit)
        return 0
    except RouterlabError as e:
        print(f"routerlab: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    except OSError as e:  # the report could not be written (permissions, full disk)
        print(f"routerlab: cannot write {e.filename or 'the report'}: {e.strerror or e}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
