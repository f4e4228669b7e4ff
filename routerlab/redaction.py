"""Keys never leave the process in text: error messages, trace records, frames, logs, reprs.

Every API key a provider holds is registered here (``register_secret``); ``scrub`` then masks
any run of 8 or more characters copied from a registered key, so a server that echoes the key
whole, minus its last characters, or only its tail is still caught. ``safe_url`` hides
credentials embedded in a base URL (``user:pass@``, ``?api-key=...``). ``install_log_filter``
puts a filter on the loggers of the SDKs' HTTP stacks, whose DEBUG lines print response headers
(a proxy may echo ``Authorization`` there).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["MIN_MATCH", "register_secret", "scrub", "safe_url", "RedactingFilter", "install_log_filter",
           "HTTP_LOGGERS"]

#: The shortest run of key characters that counts as a leak (shorter runs are too common by chance).
MIN_MATCH = 8

_lock = threading.Lock()
_secrets: set[str] = set()
_grams: dict[str, frozenset[str]] = {}


def register_secret(value: str) -> None:
    """Remember ``value`` so that every later :func:`scrub` masks it (and its 8-char pieces)."""
    if not isinstance(value, str) or len(value) < MIN_MATCH:
        return
    with _lock:
        if value not in _secrets:
            _secrets.add(value)
            _grams[value] = frozenset(value[i:i + MIN_MATCH] for i in range(len(value) - MIN_MATCH + 1))
    install_log_filter()


def _spans(text: str, grams: frozenset[str]) -> list[tuple[int, int]]:
    """Maximal runs of ``text`` covered by 8-char pieces of one key."""
    spans: list[tuple[int, int]] = []
    for i in range(len(text) - MIN_MATCH + 1):
        if text[i:i + MIN_MATCH] in grams:
            end = i + MIN_MATCH
            if spans and i <= spans[-1][1]:
                spans[-1] = (spans[-1][0], end)
            else:
                spans.append((i, end))
    return spans


def scrub(text: str, extra: Iterable[str] = (), mask: str = "***") -> str:
    """``text`` with every run of 8+ characters of a registered (or ``extra``) key replaced by ``mask``."""
    if not isinstance(text, str) or len(text) < MIN_MATCH:
        return text
    with _lock:
        tables = list(_grams.values())
    for value in extra:
        if isinstance(value, str) and len(value) >= MIN_MATCH and value not in _secrets:
            tables.append(frozenset(value[i:i + MIN_MATCH] for i in range(len(value) - MIN_MATCH + 1)))
    for grams in tables:
        spans = _spans(text, grams)
        if not spans:
            continue
        out, last = [], 0
        for a, b in spans:
            out += [text[last:a], mask]
            last = b
        out.append(text[last:])
        text = "".join(out)
    return text


_CREDENTIAL_PARAM = re.compile(r"key|token|secret|pass|sig|auth|credential", re.IGNORECASE)


def safe_url(url: str | None) -> str | None:
    """``url`` with a ``user:pass@`` part and credential-like query values shown as ``***``."""
    if not url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return "***"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rsplit("@", 1)[1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, "***" if _CREDENTIAL_PARAM.search(k) else v) for k, v in pairs], safe="*")
    return scrub(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))


class RedactingFilter(logging.Filter):
    """Rewrites a log record whose formatted message contains a registered key."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record that cannot format is left to logging's own error handling
            return True
        clean = scrub(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


#: Loggers whose DEBUG output prints request options or response headers. A filter on a logger
#: sees only records logged on that very logger, so the children that log are named one by one.
HTTP_LOGGERS = tuple(f"{lib}{part}" for lib in ("httpcore", "httpcore2")
                     for part in ("", ".http11", ".http2", ".connection", ".proxy")) + (
                "httpx", "httpx2", "openai", "openai._base_client", "anthropic", "anthropic._base_client",
                "ollama", "urllib3.connectionpool", "routerlab", "routerlab.client")

_filter = RedactingFilter()


def install_log_filter(names: Iterable[str] = HTTP_LOGGERS) -> None:
    """Attach the redacting filter to ``names`` (idempotent). Runs when the first key is registered."""
    for name in names:
        logger = logging.getLogger(name)
        if _filter not in logger.filters:
            logger.addFilter(_filter)
