"""The command line refuses bad arguments with a message and a nonzero exit, no traceback, and writes
nothing it was refused; every option says what it does;
the dataset checksum memo is not fooled by an edit that restores size and mtime."""

from __future__ import annotations

import hashlib
import os
import re
import stat

import pytest

from routerlab.cli import main
from routerlab.errors import ChecksumError


@pytest.mark.parametrize("argv, says", [
    (["--calls", "0"], "1 or more"),
    (["--calls", "-5"], "1 or more"),
    (["--calls", "many"], "whole number"),
    (["--seed", "-1"], ">= 0"),
    (["--tier", "coder"], "TIER=MODEL"),
    (["--tier", "=openai:gpt-4.1-mini"], "TIER=MODEL"),
])
def test_bad_demo_arguments_are_usage_errors(capsys, argv, says):
    with pytest.raises(SystemExit) as info:
        main(["demo", "--no-report", *argv])
    err = capsys.readouterr().err
    assert info.value.code == 2 and says in err and "Traceback" not in err


def test_out_is_a_directory_or_under_a_file(capsys, tmp_path):
    with pytest.raises(SystemExit) as info:
        main(["demo", "--out", str(tmp_path)])
    assert info.value.code == 2 and "is a directory" in capsys.readouterr().err
    (tmp_path / "f").write_text("x")
    with pytest.raises(SystemExit):
        main(["demo", "--out", str(tmp_path / "f" / "r.html")])
    assert "which is a file" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_out_unwritable_is_a_message_not_a_traceback(capsys, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        assert main(["demo", "--calls", "3", "--out", str(locked / "r.html")]) == 2
    finally:
        locked.chmod(stat.S_IRWXU)
    assert "cannot write" in capsys.readouterr().err


def test_out_unwritable_as_root_too(capsys, tmp_path, monkeypatch):
    from pathlib import Path

    def refuse(self, *a, **k):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "write_text", refuse)
    assert main(["demo", "--calls", "3", "--out", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert "cannot write" in err and "Permission denied" in err and "Traceback" not in err


def test_checksum_memo_is_not_fooled_by_a_restored_mtime(tmp_path):
    from routerlab.datasets.registry import DataFile, Source, verify

    p = tmp_path / "prices.csv"
    p.write_bytes(b"model,price\na,1.00\nb,2.00\n")
    entry = DataFile("x/prices.csv", "x", Source("s", "o/r", "main", "MIT", "test"), None,
                     hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_size)
    verify(p, entry)  # hashed once, then memoised
    st = p.stat()
    with open(p, "r+b") as fh:  # same size, one price cell changed
        fh.seek(18)
        fh.write(b"9")
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert p.stat().st_size == st.st_size and p.stat().st_mtime_ns == st.st_mtime_ns
    with pytest.raises(ChecksumError, match="sha256"):
        verify(p, entry)


def _options(parser, path="routerlab"):
    """(command path, option string, help) of every option of every subcommand."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _options(child, f"{path} {name}")
        elif not isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
            yield path, action.option_strings[0] if action.option_strings else action.dest, action.help


def test_every_option_of_every_subcommand_says_what_it_does():
    from routerlab.cli import build_parser

    found = list(_options(build_parser()))
    assert {p for p, _, _ in found} >= {"routerlab demo", "routerlab export litellm", "routerlab export claude-agents"}
    bare = [f"{p} {opt}" for p, opt, text in found if len((text or "").split()) < 3]
    assert not bare, f"options without help text: {bare}"
    # a snake_case word (wall_s, budget_usd) is a name from the code; a file name (x_y.yaml) is fine
    internal = [f"{p} {opt}: {text}" for p, opt, text in found if text and re.search(r"(?<![\w.])[a-z]+_[a-z_]+(?![\w.])", text)]
    assert not internal, f"internal names in help text: {internal}"


@pytest.mark.parametrize("argv, says", [
    (["--budget", "coder=-5"], "budget of tier 'coder'"),
    (["--budget", "coder=nan"], "finite number >= 0"),
    (["--budget", "coder=inf"], "finite number >= 0"),
    (["--budget", "coder=5", "--budget-duration", "forever"], "not a LiteLLM period"),
    (["--timeout", "-1"], "seconds > 0"),
    (["--timeout", "nan"], "seconds > 0"),
    (["--api-base", "local:smollm2-135m=localhost:8080"], "http:// or https:// URL"),
    (["--tier", "codr=openai:gpt-4.1-mini"], "no tier named 'codr'"),
])
def test_bad_export_values_are_refused_and_the_old_config_is_kept(capsys, tmp_path, argv, says):
    out = tmp_path / "litellm_config.yaml"
    out.write_text("# the config in use\n")
    assert main(["export", "litellm", "--out", str(out), *argv]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err, err
    assert out.read_text() == "# the config in use\n" and not list(tmp_path.glob("*.tmp"))


def test_export_into_a_directory_or_a_file_says_which(capsys, tmp_path):
    assert main(["export", "litellm", "--out", str(tmp_path)]) == 2
    assert "is a directory: give a file name" in capsys.readouterr().err
    (tmp_path / "agents").write_text("not a folder")
    assert main(["export", "claude-agents", "--out", str(tmp_path / "agents" / "sub")]) == 2
    assert "is a file" in capsys.readouterr().err
    assert (tmp_path / "agents").read_text() == "not a folder"


def test_a_closed_pipe_is_not_reported_as_an_error():
    import subprocess
    import sys

    # the reader (head -1) goes away after one line; the catalog is longer than a pipe's buffer
    proc = subprocess.run(f"{sys.executable} -m routerlab.cli catalog | head -c 100 >/dev/null; "
                          "echo ${PIPESTATUS[0]}", shell=True, executable="/bin/bash", capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert proc.stdout.strip() == "0" and "cannot write" not in proc.stderr and "Traceback" not in proc.stderr, proc


def test_a_report_that_cannot_be_written_keeps_the_table_on_the_terminal(capsys, tmp_path, monkeypatch):
    from routerlab import demo_report
    from routerlab.errors import MissingDependencyError

    def no_plotly(*a, **k):
        raise MissingDependencyError("plotly", "lab")

    monkeypatch.setattr(demo_report, "write_demo_report", no_plotly)
    assert main(["demo", "--calls", "5", "--out", str(tmp_path / "r.html")]) == 2
    out, err = capsys.readouterr()
    assert "routed by tier" in out and "routed / all-top: cost x" in out  # what was computed is kept
    assert "MissingDependencyError: plotly is not installed" in err and not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("argv, says", [
    (["--timeout", "-1"], "give a number >= 1"),
    (["--timeout", "nan"], "give a number >= 1"),
    (["--cell-timeout", "0"], "give a number >= 1"),
    (["--retries", "-2"], "give a number >= 0"),
    (["--retries", "two"], "not a whole number"),
])
def test_make_reports_refuses_timeouts_that_would_kill_every_notebook(capsys, tmp_path, argv, says):
    from routerlab.report import main as report

    with pytest.raises(SystemExit) as info:
        report([str(tmp_path), str(tmp_path / "out"), *argv])
    err = capsys.readouterr().err
    assert info.value.code == 2 and says in err and "Traceback" not in err


def test_make_reports_on_a_folder_without_notebooks_is_a_message(capsys, tmp_path):
    from routerlab.report import main as report

    assert report([str(tmp_path / "nowhere"), str(tmp_path / "out")]) == 2
    assert "no numbered notebooks (NN_name.ipynb)" in capsys.readouterr().err


def test_a_report_write_that_fails_half_way_keeps_the_last_report(capsys, tmp_path, monkeypatch):
    from pathlib import Path

    out = tmp_path / "demo.html"
    out.write_text("<!doctype html>the last good report")
    real = Path.write_text

    def disk_full(self, text, *a, **k):
        real(self, text[: len(text) // 2], *a, **k)  # half the page lands, then the disk is full
        raise OSError(28, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_text", disk_full)
    assert main(["demo", "--calls", "3", "--out", str(out)]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert out.read_text() == "<!doctype html>the last good report" and list(tmp_path.iterdir()) == [out]
