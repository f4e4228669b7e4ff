"""Step kinds: what one LLM call in a recorded agent run was *for*, read from what the agent did.

A call's kind comes from the action its answer asked for (the tool it called, the shell command
it ran), never from the model that answered. The rules are ours, written for the four trajectory
formats in ``../shared/data/trajectories``; they are deliberately simple and inspectable.

========== ============================================================ =============
kind       what the call's answer did                                    default tier
========== ============================================================ =============
plan       planned or delegated: Claude Code Task / TodoWrite /          orchestrator
           EnterPlanMode / ExitPlanMode / Skill, OpenHands ``think``,
           tau2 ``think``
review     decided the work is done and handed it in: OpenHands          orchestrator
           ``finish``, mini-swe-agent ``echo COMPLETE_TASK_AND_SUBMIT``,
           ``git diff`` / ``git status`` inspection of one's own changes
respond    answered in text only, no tool (to the user, or a sub-agent's  orchestrator
           report back); tau2 ``transfer_to_human_agents``
read       read a file: Read, ``cat``/``head``/``tail``/``sed -n``/``nl``, classifier
           OpenHands ``read``, editor ``view``
search     looked something up: Grep, Glob, WebSearch, WebFetch,        classifier
           ``grep``/``rg``/``find``/``ls``/``git log``, tau2 ``get_*`` /
           ``search_*`` / ``list_*`` / ``calculate``
summarize  compacted the context (Claude Code ``acompact`` sub-agents)   classifier
edit       changed a file or a record: Edit, Write, MultiEdit,           coder
           NotebookEdit, OpenHands ``edit``, ``sed -i``, ``cat > f``,
           ``tee``, ``patch``, redirects into a file; tau2 ``book_*`` /
           ``cancel_*`` / ``update_*`` / ``send_*``
test       ran tests: ``pytest``, ``python -m pytest``, ``mix test``,    coder
           ``npm test``, ``cargo test``, ``go test``, ``tox``, ``make test``
run        ran anything else: scripts, builds, installs, git commits     coder
vision     looked at an image (Read of a .png/.jpg/...)                   vision
decide     routerlab orchestrator: is the goal met?                      orchestrator
classify   routerlab orchestrator subtask kinds                          classifier
extract    (from ``Request.kind`` in a routerlab trace)                  classifier
code                                                                     coder
========== ============================================================ =============

When one answer asks for several actions, the most consequential wins, in this order:
``edit > test > run > review > plan > vision > search > read > summarize > respond``.
A shell command chain (``cd x && grep ... | head``) is split on ``&&``, ``||``, ``;`` and
``|``; ``cd``/``export``/``source``/comments are ignored and the remaining parts are classified
with the same precedence.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable

__all__ = [
    "KINDS",
    "KIND_TIERS",
    "PRECEDENCE",
    "tier_of",
    "pick_kind",
    "kind_of_bash",
    "kind_of_tool",
]

KIND_TIERS: dict[str, str] = {
    "plan": "orchestrator",
    "review": "orchestrator",
    "respond": "orchestrator",
    "read": "classifier",
    "search": "classifier",
    "summarize": "classifier",
    "edit": "coder",
    "test": "coder",
    "run": "coder",
    "vision": "vision",
    # the request kinds of routerlab's own orchestrator (Workload.from_trace_frame)
    "decide": "orchestrator",
    "classify": "classifier",
    "extract": "classifier",
    "code": "coder",
}
KINDS: tuple[str, ...] = tuple(KIND_TIERS)
PRECEDENCE: tuple[str, ...] = (
    "edit", "test", "run", "review", "plan", "vision", "search", "read", "summarize", "respond",
    "code", "decide", "classify", "extract",
)
_RANK = {k: i for i, k in enumerate(PRECEDENCE)}

_IMAGE_EXT = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp")

# Claude Code tool names (and a few shared with other agents).
_TOOLS: dict[str, str] = {
    "read": "read", "notebookread": "read",
    "grep": "search", "glob": "search", "ls": "search", "websearch": "search", "webfetch": "search",
    "taskoutput": "search", "bashoutput": "search",
    "edit": "edit", "write": "edit", "multiedit": "edit", "notebookedit": "edit",
    "task": "plan", "todowrite": "plan", "enterplanmode": "plan", "exitplanmode": "plan", "skill": "plan",
    "think": "plan", "askuserquestion": "respond", "transfer_to_human_agents": "respond",
    "finish": "review", "submit": "review",
}
# tau2-style tool names: verbs that read vs verbs that change state.
_LOOKUP_PREFIXES = ("get_", "search_", "list_", "find_", "calculate", "check_")
_MUTATE_PREFIXES = ("book_", "cancel_", "update_", "send_", "modify_", "create_", "delete_", "add_", "remove_", "set_")

_TEST_RE = re.compile(
    r"(^|\s)(pytest|py\.test|tox|nox)(\s|$)|-m\s+pytest|-m\s+unittest|\bmix\s+test\b|\bnpm\s+(run\s+)?test\b"
    r"|\byarn\s+test\b|\bcargo\s+test\b|\bgo\s+test\b|\bmake\s+(check|test)\b|\bctest\b|runtests?\.py|\btest_\w*\.py\b"
)
_READ_CMDS = {"cat", "head", "tail", "nl", "less", "more", "wc", "awk", "bat", "view", "xxd", "od", "stat", "file"}
_SEARCH_CMDS = {"grep", "egrep", "rg", "ag", "find", "ls", "tree", "locate", "which", "pwd", "du", "fd", "ack"}
_IGNORED_CMDS = {"cd", "export", "source", ".", "set", "true", "sleep", "clear", "pushd", "popd"}
_SPLIT_RE = re.compile(r"&&|\|\||;|\n|\|")
_REDIRECT_RE = re.compile(r"(^|[^0-9&>])>>?\s*(?!&|/dev/null)[^\s|;&]+")


def tier_of(kind: str) -> str:
    """The default tier of a kind (``"coder"`` for a kind this table does not know)."""
    return KIND_TIERS.get(kind, "coder")


def pick_kind(kinds: Iterable[str], default: str = "respond") -> str:
    """The most consequential of several kinds (see PRECEDENCE); ``default`` when there are none."""
    best: str | None = None
    for k in kinds:
        if best is None or _RANK.get(k, 0) < _RANK.get(best, 0):
            best = k
    return best if best is not None else default


def _words(part: str) -> list[str]:
    try:
        return shlex.split(part, comments=True)
    except ValueError:  # unbalanced quotes inside heredocs: fall back to whitespace
        return part.split()


def _kind_of_simple(part: str) -> str | None:
    text = part.strip()
    if not text or text.startswith("#"):
        return None
    if _TEST_RE.search(text):
        return "test"
    words = _words(text)
    while words and "=" in words[0] and not words[0].startswith("="):  # FOO=1 cmd
        words = words[1:]
    if not words:
        return None
    cmd = words[0].rsplit("/", 1)[-1]
    if cmd in _IGNORED_CMDS:
        return None
    if cmd == "echo" and "COMPLETE_TASK_AND_SUBMIT" in text:
        return "review"
    if cmd == "git":
        sub = words[1] if len(words) > 1 else ""
        if sub in ("diff", "status"):
            return "review"
        if sub in ("log", "show", "grep", "blame", "ls-files"):
            return "search"
        if sub in ("apply", "checkout", "restore", "stash", "am"):
            return "edit"
        return "run"
    if cmd == "sed":
        return "edit" if any(w.startswith("-i") for w in words[1:]) else "read"
    if cmd in ("tee", "patch", "applypatch", "cp", "mv", "rm", "touch", "mkdir", "truncate", "ed"):
        return "edit"
    if cmd == "perl":
        return "edit" if any(w.startswith("-i") or w == "-pi" for w in words[1:]) else "run"
    if _REDIRECT_RE.search(text) and cmd in ({"cat", "echo", "printf"} | _READ_CMDS):
        return "edit"
    if cmd in _READ_CMDS:
        return "read"
    if cmd in _SEARCH_CMDS:
        return "search"
    if _REDIRECT_RE.search(text) and "<<" in text:
        return "edit"
    return "run"


def kind_of_bash(command: str) -> str:
    """Kind of one shell command (possibly a chain). An empty command is ``respond``."""
    if "COMPLETE_TASK_AND_SUBMIT" in command:  # mini-swe-agent's hand-in, whatever else is chained
        return "review"
    head = command.split("<<", 1)
    kinds: list[str] = []
    if len(head) == 2 and _REDIRECT_RE.search(head[0]):
        kinds.append("edit")  # cat > file << 'EOF' ... EOF writes a file
    for part in _SPLIT_RE.split(head[0]):
        k = _kind_of_simple(part)
        if k is not None:
            kinds.append(k)
    return pick_kind(kinds, default="respond" if not command.strip() else "run")


def kind_of_tool(name: str, arguments: dict | None = None) -> str:
    """Kind of one tool call, by tool name (Claude Code, OpenHands, tau2) and, for shells, its command."""
    args = arguments or {}
    low = name.lower()
    if low in ("bash", "execute_bash", "shell", "run", "cmd_run"):
        return kind_of_bash(str(args.get("command", "")))
    if low in ("read", "str_replace_editor", "edit_file"):
        path = str(args.get("file_path") or args.get("path") or "")
        if path.lower().endswith(_IMAGE_EXT):
            return "vision"
        if low == "str_replace_editor":
            return "read" if args.get("command") == "view" else "edit"
        if low == "edit_file":
            return "edit"
    if low in _TOOLS:
        return _TOOLS[low]
    if low.startswith(_MUTATE_PREFIXES):
        return "edit"
    if low.startswith(_LOOKUP_PREFIXES):
        return "search"
    return "run"
