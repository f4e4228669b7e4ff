"""Reading trajectory files: where they are, and how a torn or malformed file is reported.

Rules (the same for every format):

- a malformed line in the middle of a JSON Lines file raises ``DatasetError`` naming the file
  (and tar member) and the line;
- a torn *last* line, a gzip stream cut short, or a tar archive cut short is a partial file: what
  is whole is loaded and a ``PartialFileWarning`` says what was skipped (``strict=True`` raises);
- a single-document JSON file that does not parse raises ``DatasetError`` with line and column;
- a corrupt archive (a tar header that fails its checksum, data after the end marker, a gzip CRC
  mismatch) raises ``DatasetError``: tarfile alone stops at a bad header as if the archive ended;
- what a file decompresses to is bounded (``decompressed_limit``): a decompression bomb raises
  ``DatasetError`` before memory runs out. The mirrored files expand under 10x.
"""

from __future__ import annotations

import gzip
import json
import tarfile
import warnings
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import DatasetError

__all__ = ["PartialFileWarning", "data_dir", "trajectory_path", "provenance", "model_id", "iter_jsonl", "load_json",
           "iter_tar_members", "read_gzip_text", "read_text_file", "utf8", "decompressed_limit", "MAX_RATIO", "MIN_LIMIT_BYTES", "MAX_MEMBER_BYTES"]

#: A file may decompress to at most MAX_RATIO times its size (or MIN_LIMIT_BYTES if larger);
#: one archive member may hold at most MAX_MEMBER_BYTES.
MAX_RATIO = 50
MIN_LIMIT_BYTES = 64 << 20
MAX_MEMBER_BYTES = 256 << 20


def decompressed_limit(path: Path) -> int:
    """The most bytes ``path`` may decompress to before it is treated as a decompression bomb."""
    return max(MIN_LIMIT_BYTES, MAX_RATIO * path.stat().st_size)


def _bomb(path: Path, limit: int, what: str) -> DatasetError:
    return DatasetError(f"{path}: {what} exceeds the {limit} byte limit for a {path.stat().st_size} byte file "
                        f"(over {MAX_RATIO}x; a decompression bomb or the wrong file?)")


class PartialFileWarning(UserWarning):
    """A trajectory file was cut short; what was whole was loaded."""


def data_dir() -> Path:
    """The data mirror in use: the first of routerlab.datasets' data directories
    ($ROUTERLAB_DATA_DIR, else ``shared/data`` beside the checkout, else the user cache)."""
    from ..datasets import data_dirs

    return data_dirs()[0][0]


def trajectory_path(filename: str, quiet: bool = False) -> Path:
    """Verified path of a registered trajectory file (routerlab.datasets checks its sha256 and
    names its origin and licence; a DatasetError says where it looked)."""
    from ..datasets import fetch

    return fetch(f"trajectories/{filename}", download=False, quiet=quiet)


def provenance(path: Path) -> str:
    """A note naming the file actually read: its key inside the data mirror with the registered
    sha256 and origin when it is a registered file there, else ``user file <path>``."""
    from ..datasets import data_dirs
    from ..datasets.registry import REGISTRY

    resolved = path.resolve()
    for d in data_dirs()[0]:
        try:
            key = resolved.relative_to(d.resolve()).as_posix()
        except ValueError:
            continue
        entry = REGISTRY.get(key)
        if entry is not None:
            src = entry.source
            return (f"file: {key} in the data mirror {d} (sha256 {entry.sha256}); origin {src.repo} @ {src.ref}: "
                    f"{src.description} ({src.licence})")
    return f"file: user file {path} (not a registered routerlab data file; origin not known)"


_PROVIDER_OF_PREFIX = (("claude", "anthropic"), ("gpt-", "openai"), ("o1", "openai"), ("o3", "openai"),
                       ("o4", "openai"), ("gemini", "google"), ("deepseek", "deepseek"), ("mistral", "mistral"))


def model_id(name: Any) -> str | None:
    """A routerlab model id (``provider:name``) for a recorded model name; None for none.
    LiteLLM's ``provider/name`` -> ``provider:name``; a bare name gets its provider when the
    name says it (``claude-*`` -> anthropic, ``gpt-*`` -> openai, ...), else stays bare."""
    if not isinstance(name, str) or not name.strip():
        return None
    name = name.strip()
    if ":" in name:
        return name
    if "/" in name:
        provider, _, rest = name.partition("/")
        return f"{provider}:{rest}"
    for prefix, provider in _PROVIDER_OF_PREFIX:
        if name.startswith(prefix):
            return f"{provider}:{name}"
    return name


def _partial(msg: str, strict: bool) -> None:
    if strict:
        raise DatasetError(msg)
    warnings.warn(msg, PartialFileWarning, stacklevel=3)


def utf8(data: bytes, path: Path) -> str:
    """``data`` as UTF-8 text; bytes that are not text are an error naming the file (a wrong file,
    a binary export, a different encoding), not a UnicodeDecodeError."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{path}: not UTF-8 text (byte {exc.start} is {data[exc.start:exc.start + 1]!r}): "
                           "is this the right file? Give the text export (JSON / JSON Lines), saved as UTF-8") from None


def read_text_file(path: Path) -> str:
    """Whole text of a plain (not gzipped) file, as UTF-8 (see :func:`utf8`)."""
    return utf8(path.read_bytes(), path)


def read_gzip_text(path: Path, strict: bool = False) -> str:
    """Whole text of a .gz file; a stream cut short yields what decompressed, with a warning."""
    limit = decompressed_limit(path)
    try:
        with gzip.open(path, "rb") as fh:
            data = fh.read(limit + 1)
            if len(data) > limit:
                raise _bomb(path, limit, "the decompressed text")
    except (EOFError, zlib.error, OSError) as exc:
        raw = path.read_bytes()
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            data = d.decompress(raw, limit + 1)
        except zlib.error:
            raise DatasetError(f"{path}: not a readable gzip file ({exc})") from exc
        if len(data) > limit:
            raise _bomb(path, limit, "the decompressed text") from None
        if not data:
            raise DatasetError(f"{path}: gzip stream is empty or corrupt ({exc})") from exc
        if "CRC" in str(exc) or "Incorrect length" in str(exc):
            raise DatasetError(f"{path}: gzip data is corrupt ({exc}); re-fetch the file") from None
        _partial(f"{path}: gzip stream ends early ({exc}); loaded the {len(data)} bytes that decompressed", strict)
        return data.decode("utf-8", errors="replace")
    return utf8(data, path)


def iter_jsonl(text: str, where: str, strict: bool = False) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-empty line. Malformed middle lines raise; a torn last
    line is skipped with a warning."""
    lines = text.split("\n")
    last = max((i for i, ln in enumerate(lines) if ln.strip()), default=-1)
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            if i == last and not text.endswith("\n"):
                _partial(f"{where}: line {i + 1} is torn (file cut short: {exc.msg}); skipped it", strict)
                return
            raise DatasetError(f"{where}: line {i + 1} is not valid JSON ({exc.msg} at column {exc.colno})") from exc
        if not isinstance(obj, dict):
            raise DatasetError(f"{where}: line {i + 1} is a JSON {type(obj).__name__}, expected an object")
        yield i + 1, obj


def load_json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DatasetError(
            f"{where}: not valid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg}); the file may be truncated"
        ) from exc


def iter_tar_members(path: Path, suffix: str, strict: bool = False) -> Iterator[tuple[str, str]]:
    """(member name, text) of every regular member ending in ``suffix``, read straight from the
    archive (never extracted). An archive cut short yields the members before the cut; a corrupt
    one (bad header checksum, CRC mismatch) or one that would decompress past the limit raises."""
    try:
        tf = tarfile.open(path, mode="r:gz")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise DatasetError(f"{path}: not a readable tar.gz archive ({exc})") from exc
    limit = decompressed_limit(path)
    seen = total = 0
    with tf:
        while True:
            try:
                member = tf.next()
                seen += member is not None
            except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
                _partial(f"{path}: archive ends early after {seen} entries ({exc}); loaded what was whole",
                         strict)
                return
            if member is None:
                _check_archive_end(tf, path, seen, strict)
                return
            # sizes come from the header: refuse before decompressing (skipping a member reads it too)
            total += max(0, member.size)
            if member.size > MAX_MEMBER_BYTES:
                raise _bomb(path, MAX_MEMBER_BYTES, f"member {member.name} ({member.size} bytes)")
            if total > limit:
                raise _bomb(path, limit, f"the members up to {member.name} ({total} bytes)")
            if not (member.isfile() and member.name.endswith(suffix)):
                continue
            try:
                fh = tf.extractfile(member)
                data = fh.read() if fh is not None else b""
            except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
                _partial(f"{path}: member {member.name} is cut short ({exc}); skipped it and the rest", strict)
                return
            if len(data) != member.size:
                _partial(f"{path}: member {member.name} has {len(data)} of its {member.size} bytes; "
                         "skipped it and the rest", strict)
                return
            yield member.name, data.decode("utf-8", errors="replace")


def _check_archive_end(tf: tarfile.TarFile, path: Path, seen: int, strict: bool) -> None:
    """tarfile ends the archive at a header that fails its checksum; only zeros may follow the
    last member (the end marker and padding), and the gzip CRC must check out."""
    assert tf.fileobj is not None
    try:
        tf.fileobj.seek(tf.offset)
        while block := tf.fileobj.read(1 << 16):
            if block.strip(b"\0"):
                raise DatasetError(
                    f"{path}: entry {seen + 1} (at byte {tf.offset} of the tar stream) has a corrupt header "
                    f"but data follows: the archive is damaged, {seen} entries read; re-fetch the file")
    except (EOFError, zlib.error) as exc:
        _partial(f"{path}: archive ends early after {seen} entries ({exc}); loaded what was whole", strict)
    except OSError as exc:  # gzip's CRC or length check at the end of the stream
        raise DatasetError(f"{path}: archive is corrupt after {seen} entries ({exc}); re-fetch the file") from None
