"""routerlab.config: every directory resolved in one place, every environment variable listed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import routerlab
from routerlab import config
from routerlab.datasets import data_dirs, user_data_dir
from routerlab.embeddings import EmbeddingCache, cache_dir
from routerlab.errors import InvalidRequestError

PACKAGE = Path(routerlab.__file__).parent
# os.environ.get("X"), os.getenv("X"), env("X") and a provider's ``env_var = "X"``.
READS = re.compile(r"""(?:environ\.get\(|getenv\(|env\(|env_var\s*=\s*)["']([A-Z][A-Z0-9_]+)["']""")


def test_every_variable_the_package_reads_is_listed_and_documented() -> None:
    read = {m.group(1) for p in PACKAGE.rglob("*.py") for m in READS.finditer(p.read_text(encoding="utf-8"))}
    assert {"ROUTERLAB_DATA_DIR", "ROUTERLAB_CACHE_DIR", "OPENAI_API_KEY"} <= read  # the scan sees them
    assert read <= set(config.ENVIRONMENT), sorted(read - set(config.ENVIRONMENT))
    doc = config.__doc__ or ""
    assert all(f"``{name}``" in doc for name in config.ENVIRONMENT)


def test_unlisted_variable_is_refused() -> None:
    with pytest.raises(KeyError, match="ENVIRONMENT"):
        config.env("ROUTERLAB_NOT_A_THING")


def test_cache_dir_drives_the_data_and_embedding_caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUTERLAB_CACHE_DIR", str(tmp_path))
    assert cache_dir() == config.cache_dir() == tmp_path
    assert user_data_dir() == tmp_path / "data"
    assert EmbeddingCache().path.parent == tmp_path / "embeddings"
    monkeypatch.delenv("ROUTERLAB_CACHE_DIR")
    assert config.cache_dir() == Path.home() / ".cache" / "routerlab"


def test_data_dir_override_is_the_only_mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUTERLAB_DATA_DIR", str(tmp_path))
    assert data_dirs() == ([tmp_path], True)


def test_mirror_beside_finds_shared_data_up_the_tree(tmp_path: Path) -> None:
    (tmp_path / "shared" / "data" / "outcomes").mkdir(parents=True)
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert config.mirror_beside(deep) == tmp_path / "shared" / "data"
    assert config.mirror_beside(tmp_path / "shared" / "data" / "outcomes" / "x") == tmp_path / "shared" / "data"


def test_package_files_exist_and_bad_thread_count_is_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    assert config.package_file("catalog", "models.csv").is_file()
    assert config.package_file("evalset", "agent_requests.csv").is_file()
    monkeypatch.setenv("ROUTERLAB_EMBED_THREADS", "two")
    with pytest.raises(InvalidRequestError, match="ROUTERLAB_EMBED_THREADS"):
        config.embed_threads()
    monkeypatch.setenv("ROUTERLAB_EMBED_THREADS", "3")
    assert config.embed_threads() == 3
