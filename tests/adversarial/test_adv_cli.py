"""The command line refuses bad arguments with argparse's message and a nonzero exit, no traceback;
the dataset checksum memo is not fooled by an edit that restores size and mtime."""

from __future__ import annotations

import hashlib
import os
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
