"""Trajectory archives that lie: a flipped header bit, a decompression bomb, a gzip CRC error.

Every file here is made by the test in tmp_path; each must end in a DatasetError (fast) or a
complete load, never in a silent partial load or a MemoryError.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import time
import warnings

import pytest

from routerlab.errors import DatasetError
from routerlab.workloads import _io


def _tar_gz(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _members(n: int = 6) -> dict[str, bytes]:
    return {f"s{i}.jsonl": (json.dumps({"i": i, "text": "x" * 700}) + "\n").encode() for i in range(n)}


def test_a_whole_archive_loads_every_member(tmp_path):
    p = tmp_path / "ok.tar.gz"
    p.write_bytes(gzip.compress(_tar_gz(_members())))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(list(_io.iter_tar_members(p, ".jsonl"))) == 6


@pytest.mark.parametrize("field_offset", [0, 100, 124, 148])  # name, mode, size, checksum fields
def test_a_flipped_header_bit_is_an_error_not_a_partial_load(tmp_path, field_offset):
    raw = bytearray(_tar_gz(_members()))
    third = 2 * (512 + 1024)  # each member: one header block and two data blocks
    raw[third + field_offset] ^= 0x04
    p = tmp_path / "flip.tar.gz"
    p.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(DatasetError, match="corrupt|damaged"):
        list(_io.iter_tar_members(p, ".jsonl"))


def test_a_truncated_archive_still_loads_what_is_whole(tmp_path):
    p = tmp_path / "cut.tar.gz"
    whole = gzip.compress(_tar_gz(_members()))
    p.write_bytes(whole[: len(whole) * 2 // 3])
    with pytest.warns(_io.PartialFileWarning):
        got = list(_io.iter_tar_members(p, ".jsonl"))
    assert 0 < len(got) < 6


def test_a_tar_bomb_is_refused_from_its_header_fast(tmp_path):
    # a member that claims 8 GiB: refused before a byte of it is decompressed
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        info = tarfile.TarInfo("bomb.jsonl")
        info.size = 8 << 30
        tf.addfile(info)  # header only: the claim is what matters
    p = tmp_path / "bomb.tar.gz"
    p.write_bytes(gzip.compress(buf.getvalue()))
    t0 = time.perf_counter()
    with pytest.raises(DatasetError, match="decompression bomb"):
        list(_io.iter_tar_members(p, ".jsonl"))
    assert time.perf_counter() - t0 < 5


def test_a_gzip_bomb_is_refused_at_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(_io, "MIN_LIMIT_BYTES", 1 << 20)  # keep the test small: 1 MiB floor
    p = tmp_path / "bomb.jsonl.gz"
    p.write_bytes(gzip.compress(b"\n" * (64 << 20), compresslevel=9))  # 64 MiB of newlines, ~64 KiB on disk
    with pytest.raises(DatasetError, match="decompression bomb"):
        _io.read_gzip_text(p)


def test_a_gzip_crc_mismatch_is_an_error(tmp_path):
    data = bytearray(gzip.compress(b'{"a": 1}\n' * 100))
    data[-8] ^= 0xFF  # the CRC32 in the trailer
    p = tmp_path / "crc.jsonl.gz"
    p.write_bytes(bytes(data))
    with pytest.raises(DatasetError, match="CRC"):
        _io.read_gzip_text(p)
