"""The README's front door is true: the demo output it shows is what ``routerlab demo`` prints
today (no stale numbers), every ``make`` target it names exists, and every ``routerlab`` command
line it shows parses (no option that does not exist)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from routerlab.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _fenced(text: str) -> list[tuple[str, list[str]]]:
    """(language, lines) of every fenced block."""
    return [(lang, body.splitlines()) for lang, body in re.findall(r"^```(\w*)\n(.*?)^```", text, re.M | re.S)]


def test_the_demo_output_shown_is_what_the_demo_prints(capsys):
    (shown,) = [lines for lang, lines in _fenced(README) if lines and lines[0].startswith("policy ")]
    assert main(["demo", "--no-report"]) == 0
    printed = capsys.readouterr().out.splitlines()
    stale = [line for line in shown if line.rstrip() not in {p.rstrip() for p in printed}]
    assert not stale, "README shows lines the demo no longer prints (rerun make demo and paste):\n" + "\n".join(stale)


def test_every_make_target_named_exists():
    targets = set(re.findall(r"^([\w-]+):", (ROOT / "Makefile").read_text(), re.M))
    named = {t for lang, lines in _fenced(README) if lang == "bash" for line in lines
             for t in re.findall(r"^\s*make ([\w-]+)", line)}
    named |= set(re.findall(r"`make ([\w-]+)", README))
    assert named and named <= targets, sorted(named - targets)


@pytest.mark.parametrize("line", [line.split("#", 1)[0].strip() for lang, lines in _fenced(README) if lang == "bash"
                                  for line in lines if line.strip().startswith("routerlab ")])
def test_every_routerlab_command_shown_parses(line):
    build_parser().parse_args(shlex.split(line)[1:])  # an unknown option or subcommand exits with 2
