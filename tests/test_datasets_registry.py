"""Registry: lookup order, checksum verification, downloads through a fake transport."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from routerlab.datasets import fetch, files, get, load_routerbench_zs, registry
from routerlab.errors import ChecksumError, DatasetError

MIRROR = Path(__file__).resolve().parents[2] / "shared" / "data"
VERBATIM = "outcomes/routellm/mt_bench/question.jsonl"

pytestmark = pytest.mark.skipif(not MIRROR.is_dir(), reason="needs ../shared/data beside the checkout")


def test_every_mirror_file_is_registered_with_its_checksum() -> None:
    on_disk = {str(p.relative_to(MIRROR)) for p in MIRROR.rglob("*") if p.is_file() and p.name != "MANIFEST.md"}
    assert on_disk == set(registry.REGISTRY)
    entry = get(VERBATIM)
    assert entry.sha256 == hashlib.sha256((MIRROR / VERBATIM).read_bytes()).hexdigest()
    assert entry.source.repo == "lm-sys/RouteLLM" and entry.licence == "Apache-2.0"
    assert entry.url and entry.url.endswith("/lm-sys/RouteLLM/0b64fdaf/routellm/evals/mt_bench/question.jsonl")


def test_groups_cover_sources() -> None:
    assert len(files("routerbench_zs")) == 6
    assert len(files("trajectories")) == 4
    assert {f.source.name for f in files("trajectories")} == {"claude_code", "openhands", "mini_swe_agent", "tau2_bench"}
    with pytest.raises(DatasetError, match="unknown dataset group"):
        files("nope")
    with pytest.raises(DatasetError, match="not a registered"):
        get("outcomes/nope.csv")


def test_lookup_order_explicit_then_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a" / "outcomes/routellm/mt_bench").mkdir(parents=True)
    shutil.copy(MIRROR / VERBATIM, tmp_path / "a" / VERBATIM)
    monkeypatch.setenv("ROUTERLAB_DATA_DIR", str(tmp_path / "a"))
    assert fetch(VERBATIM, quiet=True) == tmp_path / "a" / VERBATIM
    assert fetch(VERBATIM, MIRROR, quiet=True) == MIRROR / VERBATIM  # argument beats env
    # An explicit directory without the file is an error, not a silent fall-through.
    with pytest.raises(DatasetError, match="gsm8k_responses.csv"):
        fetch("outcomes/routellm/gsm8k/gsm8k_responses.csv", quiet=True)


def test_default_finds_shared_data_beside_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROUTERLAB_DATA_DIR", raising=False)
    assert fetch(VERBATIM, quiet=True).resolve() == (MIRROR / VERBATIM).resolve()


def _mirror_with(tmp_path: Path, key: str, data: bytes) -> Path:
    root = tmp_path / "mirror"
    for f in files("routerbench_zs"):
        (root / f.key).parent.mkdir(parents=True, exist_ok=True)
        (root / f.key).symlink_to(MIRROR / f.key)
    (root / key).unlink()
    (root / key).write_bytes(data)
    return root


def test_truncated_file_is_reported_never_half_loaded(tmp_path: Path) -> None:
    key = "outcomes/routerbench_zs/mbpp_test.csv"
    good = (MIRROR / key).read_bytes()
    root = _mirror_with(tmp_path, key, good[: len(good) // 2])
    with pytest.raises(ChecksumError, match="mbpp_test.csv"):
        load_routerbench_zs(root, quiet=True)


def test_corrupt_file_same_size_fails_checksum(tmp_path: Path) -> None:
    key = "outcomes/routerbench_zs/winograde_test.csv"
    data = bytearray((MIRROR / key).read_bytes())
    data[1000] ^= 0x01
    root = _mirror_with(tmp_path, key, bytes(data))
    with pytest.raises(ChecksumError, match="winograde_test.csv"):
        load_routerbench_zs(root, benchmarks=["winogrande"], splits=("test",), quiet=True)


@pytest.fixture
def no_mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("ROUTERLAB_DATA_DIR", raising=False)
    monkeypatch.setenv("ROUTERLAB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(registry, "_beside_checkout", lambda: None)
    return tmp_path / "cache" / "data"


def test_download_into_user_cache_with_fake_transport(no_mirror: Path) -> None:
    seen: list[str] = []

    def transport(url: str) -> bytes:
        seen.append(url)
        return (MIRROR / VERBATIM).read_bytes()

    path = fetch(VERBATIM, transport=transport, quiet=True)
    assert path == no_mirror / VERBATIM and path.read_bytes() == (MIRROR / VERBATIM).read_bytes()
    assert seen == [get(VERBATIM).url]
    fetch(VERBATIM, transport=transport, quiet=True)  # second time: from the cache
    assert len(seen) == 1


def test_download_with_wrong_bytes_is_rejected_and_not_saved(no_mirror: Path) -> None:
    with pytest.raises(ChecksumError, match="question.jsonl"):
        fetch(VERBATIM, transport=lambda url: b"<html>not found</html>", quiet=True)
    assert not (no_mirror / VERBATIM).exists()


def test_offline_and_reshaped_files_give_clear_errors(no_mirror: Path) -> None:
    def offline(url: str) -> bytes:
        raise OSError("no route to host")

    with pytest.raises(DatasetError, match="ROUTERLAB_DATA_DIR"):
        fetch(VERBATIM, transport=offline, quiet=True)
    with pytest.raises(DatasetError, match="reshaped"):
        fetch("latency/llmperf_requests_flat.csv", transport=offline, quiet=True)


def test_licence_and_origin_printed_once(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_announced", set())
    fetch(VERBATIM, MIRROR)
    fetch(VERBATIM, MIRROR)
    err = capsys.readouterr().err
    assert err.count("lm-sys/RouteLLM @ 0b64fdaf") == 1 and "Apache-2.0" in err


def test_licence_note_names_no_machine_path_and_can_be_silenced(capsys: pytest.CaptureFixture[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_announced", set())
    fetch(VERBATIM, MIRROR)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(MIRROR) not in err and "/" + MIRROR.name not in err, err
    monkeypatch.setattr(registry, "_announced", set())
    monkeypatch.setenv("ROUTERLAB_QUIET", "1")
    fetch(VERBATIM, MIRROR)
    assert capsys.readouterr().err == ""


def test_registry_frame_lists_origin_and_licence() -> None:
    from routerlab.datasets import registry_frame

    df = registry_frame("routellm_mt_bench")
    assert len(df) == 3 and df["downloadable"].all() and (df["licence"] == "Apache-2.0").all()
    assert set(registry_frame()["group"]) >= {"routerbench_zs", "trajectories", "llmperf"}


def test_quality_files_carry_the_origin_and_licence_the_manifest_gives() -> None:
    aider = get("quality/aider/architect.yml")
    assert aider.source.repo == "Aider-AI/aider" and aider.licence == "Apache-2.0"
    assert aider.url and aider.url.endswith("/5dc9490bb35f9729ef2c95d00a19ccd30c26339c/aider/website/_data/architect.yml")
    tau2 = files("quality_tau2")
    assert sum(f.key.endswith("/submission.json") for f in tau2) == 65 and {f.licence for f in tau2} == {"MIT"}
    assert all(f.url and "/a2c024725189473d2d7cea3a5cfdbcc67478e41f/web/leaderboard/public/submissions/" in f.url
               for f in tau2)
    swe = get("quality/swe-bench-leaderboards/leaderboards.json")
    assert swe.licence.startswith("CC BY-NC 4.0") and swe.url and swe.url.endswith("/data/leaderboards.json")
    # The mirror's own checksum list has no public origin: it can come only from a mirror.
    assert get("quality/SHA256SUMS").url is None
    sums = dict(line.split("  ", 1)[::-1] for line in (MIRROR / "quality/SHA256SUMS").read_text().splitlines())
    assert {f"quality/{k}": v for k, v in sums.items()} == {
        f.key: f.sha256 for f in files() if f.key.startswith("quality/") and f.key != "quality/SHA256SUMS"}
