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
A shell command is read as shell words (``shlex``: quotes respected, so ``grep -n "a\\|b" f.py``
is one ``grep``), heredoc bodies dropped (they are data), then split into simple commands at
``&&``, ``||``, ``;``, ``|``, ``&``, newlines and subshell parentheses; ``cd``/``export``/
``source``/comments are ignored and the remaining commands are classified with the same
precedence. ``test`` means a test *runner* ran (``pytest``, ``python -m pytest``, ``tox``,
``npm test``, ``go test``, ``cargo test``, ``make test``, ``runtests.py``, ...), wrappers such
as ``timeout 60`` or ``uv run`` included; reading, grepping or copying a ``test_*.py`` file is
not a test, and running a script is ``run`` whatever its name.

tau2 tools are classified by their verb: lookups (``get_``, ``search_``, ``list_``, ``find_``,
``check_``, ``calculate``) are ``search``; verbs that change a record (``book_``, ``cancel_``,
``update_``, ``modify_``, ``return_``, ``exchange_``, ``resume_``, ``suspend_``, ``refuel_``,
``enable_``, ``disable_``, ``toggle_``, ``reset_``, ``send_``, ...) are ``edit``.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable

from ..kinds import STEP_KINDS, tiers_for

__all__ = [
    "KINDS",
    "KIND_TIERS",
    "PRECEDENCE",
    "tier_of",
    "pick_kind",
    "kind_of_bash",
    "kind_of_tool",
]

# The step kinds and their tiers: a view of the one table in routerlab.kinds.
KINDS: tuple[str, ...] = STEP_KINDS
KIND_TIERS: dict[str, str] = tiers_for(STEP_KINDS)
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
_MUTATE_PREFIXES = ("book_", "cancel_", "update_", "send_", "modify_", "create_", "delete_", "add_", "remove_",
                    "set_", "return_", "exchange_", "resume_", "suspend_", "refuel_", "enable_", "disable_",
                    "toggle_", "reset_", "change_", "apply_", "make_payment", "pay_", "transfer_", "grant_",
                    "reboot_", "turn_")

_READ_CMDS = {"cat", "head", "tail", "nl", "less", "more", "wc", "awk", "bat", "view", "xxd", "od", "stat", "file"}
_SEARCH_CMDS = {"grep", "egrep", "fgrep", "rg", "ag", "find", "ls", "tree", "locate", "which", "pwd", "du", "fd", "ack"}
_IGNORED_CMDS = {"cd", "export", "source", ".", "set", "true", "sleep", "clear", "pushd", "popd", "{", "}", "$"}
_LOOK_KINDS = {"sed": "read", **dict.fromkeys(_READ_CMDS, "read"), **dict.fromkeys(_SEARCH_CMDS, "search")}
_EDIT_CMDS = {"tee", "patch", "applypatch", "cp", "mv", "rm", "touch", "mkdir", "truncate", "ed"}
_GIT_KINDS = {"diff": "review", "status": "review", "log": "search", "show": "search", "grep": "search",
              "blame": "search", "ls-files": "search", "apply": "edit", "checkout": "edit", "restore": "edit",
              "stash": "edit", "am": "edit"}
# Test runners: the command itself, or (tool, subcommand) pairs. Naming a test file is not running tests.
_TEST_RUNNERS = {"pytest", "py.test", "tox", "nox", "ctest", "jest", "vitest", "mocha", "rspec", "phpunit",
                 "runtests.py", "runtest.py", "unittest"}
_TEST_SUBCOMMANDS = {("npm", "test"), ("npm", "t"), ("yarn", "test"), ("pnpm", "test"), ("cargo", "test"),
                     ("go", "test"), ("mix", "test"), ("make", "test"), ("make", "check"), ("dotnet", "test"),
                     ("mvn", "test"), ("gradle", "test"), ("gradlew", "test"), ("bazel", "test"),
                     ("manage.py", "test")}
_PYTHON_TEST_MODULES = {"pytest", "unittest", "tox", "nose", "nose2"}
# Prefixes that run the command after them (their own options are skipped).
_WRAPPERS = {"timeout", "time", "nice", "env", "xvfb-run", "stdbuf", "nohup", "sudo", "exec", "command"}
_RUN_VIA = {("uv", "run"), ("poetry", "run"), ("pipenv", "run"), ("npx", ""), ("bundle", "exec"), ("hatch", "run")}
_SEPARATORS = {"&&", "||", ";", "|", "&", "\n", "(", ")", ";;", "|&"}
_HEREDOC_RE = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_][\w.-]*)\1")


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


def _strip_heredocs(command: str) -> str:
    """The command without heredoc bodies (``<< 'EOF'`` ... ``EOF``): they are data, not commands."""
    out: list[str] = []
    delims: list[str] = []
    lines = command.split("\n")
    for line in lines:
        if delims:
            if line.strip() == delims[0]:
                delims.pop(0)
            continue
        out.append(line)
        delims = [m.group(2) for m in _HEREDOC_RE.finditer(line)]
    return "\n".join(out)


def _tokens(command: str) -> list[str] | None:
    """Shell words and operators (quotes respected: ``"a|b"`` is one word); None if unparseable."""
    lex = shlex.shlex(command.replace("\\\n", " "), posix=True, punctuation_chars=True)
    lex.whitespace = " \t\r"  # newlines separate commands
    lex.commenters = ""
    try:
        return list(lex)
    except ValueError:  # unbalanced quotes
        return None


def _is_operator(tok: str) -> bool:
    return bool(tok) and all(ch in "();<>|&\n" for ch in tok)


class _Simple:
    """One simple command: its words and whether it redirects output into a file."""

    def __init__(self) -> None:
        self.words: list[str] = []
        self.writes = False
        self.heredoc = False


def _simple_commands(tokens: list[str]) -> list[_Simple]:
    """Split shell tokens into simple commands (at ``&&``, ``||``, ``;``, ``|``, ``&``, newlines,
    parentheses), noting redirections; comments and fd numbers are dropped."""
    cmds: list[_Simple] = []
    cur = _Simple()
    it = iter(range(len(tokens)))
    for i in it:
        tok = tokens[i]
        if tok.startswith("#"):  # a comment runs to the end of the line
            while i + 1 < len(tokens) and tokens[i + 1] != "\n":
                i = next(it)
            continue
        if tok in _SEPARATORS:
            cmds.append(cur)
            cur = _Simple()
        elif _is_operator(tok):  # a redirection: >, >>, &>, <, <<, >&
            target = tokens[i + 1] if i + 1 < len(tokens) else ""
            if cur.words and cur.words[-1].isdigit():
                cur.words.pop()  # the fd of 2>
            if tok.startswith("<<"):
                cur.heredoc = True
            elif ">" in tok and target != "/dev/null" and not target.isdigit() and not target.startswith("&"):
                cur.writes = True
            if target and not _is_operator(target):
                next(it, None)
        else:
            cur.words.append(tok)
    cmds.append(cur)
    return [c for c in cmds if c.words]


def _command_words(words: list[str]) -> list[str]:
    """The words from the command that actually runs: drops ``FOO=1``, ``timeout 60``, ``uv run``."""
    while words:
        head = words[0].rsplit("/", 1)[-1]
        if "=" in words[0] and not words[0].startswith("="):
            words = words[1:]
        elif head in _WRAPPERS:
            words = words[1:]
            while words and (words[0].startswith("-") or words[0].replace(".", "").rstrip("smh").isdigit()):
                words = words[1:]
        elif len(words) > 1 and (head, words[1]) in _RUN_VIA:
            words = words[2:]
        elif (head, "") in _RUN_VIA:
            words = words[1:]
        else:
            return words
    return words


def _runs_tests(cmd: str, args: list[str]) -> bool:
    """Whether ``cmd args`` runs a test runner (not merely names a test file)."""
    first = next((a for a in args if not a.startswith("-")), "")
    if cmd in _TEST_RUNNERS or (cmd, first.rsplit("/", 1)[-1]) in _TEST_SUBCOMMANDS:
        return True
    if cmd in ("npm", "yarn", "pnpm") and args[:2] == ["run", "test"]:
        return True
    if cmd.startswith("python") and args:
        if "-m" in args:
            mod = args[args.index("-m") + 1] if args.index("-m") + 1 < len(args) else ""
            return mod.split(".")[0] in _PYTHON_TEST_MODULES
        script = first.rsplit("/", 1)[-1]
        nxt = args[args.index(first) + 1] if first in args and args.index(first) + 1 < len(args) else ""
        return script in _TEST_RUNNERS or (script, nxt) in _TEST_SUBCOMMANDS
    return False


def _kind_of_git(args: list[str]) -> str:
    return _GIT_KINDS.get(args[0] if args else "", "run")


def _edits_in_place(cmd: str, args: list[str]) -> bool:
    """``sed -i`` / ``perl -pi``: editing a file where it lies."""
    return cmd in ("sed", "perl") and any(a.startswith("-i") or a == "-pi" for a in args)


def _kind_of_simple(c: _Simple) -> str | None:
    """Kind of one simple command; None for the ones that say nothing (``cd``, ``export``)."""
    words = _command_words(c.words)
    if not words:
        return None
    cmd, args = words[0].rsplit("/", 1)[-1], words[1:]
    if cmd in _IGNORED_CMDS:
        return None
    if _runs_tests(cmd, args):
        return "test"
    if cmd in _EDIT_CMDS or _edits_in_place(cmd, args) or (c.writes and cmd in {"cat", "echo", "printf"} | _READ_CMDS):
        return "edit"
    if cmd == "git":
        return _kind_of_git(args)
    if cmd in _LOOK_KINDS:
        return _LOOK_KINDS[cmd]
    return "edit" if c.writes and c.heredoc else "run"


def _fallback_parts(command: str) -> list[_Simple]:
    """Whitespace words split at operator characters, for text shlex cannot parse."""
    out = []
    for part in re.split(r"&&|\|\||;|\n|\|", command):
        c = _Simple()
        c.words = part.split()
        out.append(c)
    return [c for c in out if c.words]


def kind_of_bash(command: str) -> str:
    """Kind of one shell command (possibly a chain, subshells, heredocs). Empty -> ``respond``."""
    if "COMPLETE_TASK_AND_SUBMIT" in command:  # mini-swe-agent's hand-in, whatever else is chained
        return "review"
    tokens = _tokens(_strip_heredocs(command))
    parts = _simple_commands(tokens) if tokens is not None else _fallback_parts(command)
    kinds = [k for k in map(_kind_of_simple, parts) if k is not None]
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
