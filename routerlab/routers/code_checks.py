"""Checks that read code: do two answers to a coding prompt write the same program?

Code answers never agree word for word, so a cascade's agreement check needs these. Neither
uses the benchmark's tests.

- :func:`program_agreement` (a): parse each answer's code with :mod:`ast`, keep its imports and
  definitions, rename functions, arguments and variables to their order of first use, drop
  docstrings, and compare the trees. Equal trees = the same program written differently. Cost:
  pure Python in process, 1.5-4 ms per answer (16-41 ms for a prompt's 11 MBPP answers, quiet
  vs loaded machine; ``benchmarks/bench_cascade_policy.py`` measures it).
- :func:`behaviour_agreement` (b): extract each answer's entry function (the top-level one no
  other calls), run every candidate on the same inputs, compare outputs. The inputs are the
  literal arguments of the answers' own example calls (``f("abc")`` in a usage snippet) plus a
  fixed generic set (numbers, strings, lists): generated, never the benchmark's tests. Answers i
  and j are compared on the inputs i or j proposed plus the generic ones. The candidates run in
  one child process per prompt: a temporary working directory, CPU-time and address-space
  limits (:mod:`resource`), a wall-clock limit, no network (a new network namespace via
  ``unshare -rn`` where the kernel allows it, and in any case a socket guard in the child), an
  isolated interpreter (``-I``) with an empty environment. Cost: one interpreter start plus the
  calls, a function that loops is cut at ``call_timeout_s`` per input: 0.5-1.1 s per prompt of
  11 MBPP answers (0.6 s for two), 2-3 s with the machine loaded (same benchmark); the 427 MBPP
  prompts took 302 s uncached, under 2 s from the cache.
- :func:`code_agreement_tensor`: both checks for a whole table of recorded answers, as the
  (n, m, m) matrix :func:`~routerlab.routers.answer_features.agreement_tensor` takes; results are
  cached per prompt in ``cache_dir()/code_checks/`` (written atomically), so evaluating over a
  table runs each prompt's programs once.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..embeddings import cache_dir
from ..errors import InvalidRequestError

__all__ = ["extract_code", "entry_function", "normalized_program", "program_agreement", "example_inputs",
           "behaviour_agreement", "code_agreement_tensor", "GENERIC_INPUTS"]

_VERSION = "1"
#: arguments every candidate is also run on (by arity), whatever the prompt
GENERIC_INPUTS: dict[int, list[tuple[object, ...]]] = {
    1: [(0,), (1,), (7,), (-3,), (12,), ("hello world",), ("",), ("Python",), ([1, 2, 3],), ([3, 1, 2, 2],), ([],),
        ((4, 5, 6),)],
    2: [(1, 2), (10, 3), (0, 5), ("abcabc", "b"), ([1, 2, 3], 2), ([5, 1, 4], 1), ([1, 2], [2, 3])],
    3: [(1, 2, 3), (5, 0, 2), ([1, 2, 3, 4], 1, 3), ("hello", "l", "x")],
}


def extract_code(answer: str) -> str | None:
    """The code of an answer: its fenced blocks (or the whole text when it is a bare ``def``),
    reduced to imports, definitions and constant assignments. None when nothing parses."""
    text = str(answer).replace("\r\n", "\n")
    blocks: list[str] = []
    parts = text.split("```")
    for i in range(1, len(parts), 2):
        body = parts[i]
        first, _, rest = body.partition("\n")
        blocks.append(rest if first.strip().isidentifier() or not first.strip() else body)
    if not blocks and ("def " in text):
        blocks = [text]
    keep: list[ast.stmt] = []
    for b in blocks:
        try:
            tree = ast.parse(b)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import | ast.ImportFrom | ast.FunctionDef | ast.ClassDef) or (
                    isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)):
                keep.append(node)
    if not any(isinstance(n, ast.FunctionDef) for n in keep):
        return None
    return ast.unparse(ast.Module(body=keep, type_ignores=[]))


def _functions(tree: ast.Module) -> list[ast.FunctionDef]:
    return [n for n in tree.body if isinstance(n, ast.FunctionDef)]


def entry_function(code: str) -> str | None:
    """Name of the top-level function no other top-level function calls (the last such)."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    funcs = _functions(tree)
    called = {n.func.id for f in funcs for n in ast.walk(f)
              if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id != f.name}
    roots = [f.name for f in funcs if f.name not in called]
    return roots[-1] if roots else (funcs[-1].name if funcs else None)


class _Canonical(ast.NodeTransformer):
    """Rename every name bound in the program (functions, arguments, variables) to v0, v1, ...
    in order of first appearance; drop docstrings. Builtins and imported names stay."""

    def __init__(self, bound: set[str]) -> None:
        self.bound = bound
        self.names: dict[str, str] = {}

    def _rename(self, name: str) -> str:
        if name not in self.bound:
            return name
        return self.names.setdefault(name, f"v{len(self.names)}")

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        node.name = self._rename(node.name)
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(
                body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
        node.returns = None
        self.generic_visit(node)
        return node

    def visit_arg(self, node: ast.arg) -> ast.AST:
        node.arg = self._rename(node.arg)
        node.annotation = None
        return node

    def visit_Name(self, node: ast.Name) -> ast.AST:
        node.id = self._rename(node.id)
        return node


def normalized_program(code: str | None) -> str | None:
    """A canonical dump of the entry function and what it calls, names normalised (None if
    the code does not parse or has no function)."""
    if not code:
        return None
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    entry = entry_function(code)
    if entry is None:
        return None
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    bound |= {a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)}
    bound |= {f.name for f in _functions(tree)}
    funcs = [f for f in _functions(tree)]
    funcs.sort(key=lambda f: f.name != entry)  # entry first: its names get the first numbers
    canon = _Canonical(bound)
    return "\n".join(ast.dump(canon.visit(f), annotate_fields=False) for f in funcs)


def program_agreement(answers: Sequence[str]) -> np.ndarray:
    """(m, m): 1 where two answers' normalised programs are equal, 0 where both parse and differ,
    NaN where either has no parseable function."""
    norm = [normalized_program(extract_code(a)) for a in answers]
    m = len(norm)
    out = np.full((m, m), np.nan)
    for i in range(m):
        for j in range(m):
            if norm[i] is not None and norm[j] is not None:
                out[i, j] = float(norm[i] == norm[j])
    return out


def example_inputs(answer: str, names: set[str]) -> list[str]:
    """Literal argument tuples (as ``repr`` strings) of calls to ``names`` in an answer's text."""
    text = str(answer).replace("\r\n", "\n")
    found: list[str] = []
    for chunk in text.split("```"):
        for line in chunk.splitlines():
            try:
                tree = ast.parse(line.strip())
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in names \
                        and not node.keywords:
                    try:
                        args = tuple(ast.literal_eval(a) for a in node.args)
                    except (ValueError, SyntaxError, TypeError):
                        continue
                    r = repr(args)
                    if len(r) <= 2000 and r not in found:
                        found.append(r)
    return found[:8]


_CHILD = r'''
import ast, copy, io, json, resource, signal, socket, sys
_out = sys.stdout
sys.stdout = io.StringIO()  # what candidates print must not mix with the result
def _no_network(*a, **k):
    raise OSError("network disabled in the code-check sandbox")
socket.socket = _no_network; socket.create_connection = _no_network; socket.getaddrinfo = _no_network
job = json.loads(sys.stdin.read())
class _Timeout(Exception):
    pass
def _alarm(*a):
    raise _Timeout()
signal.signal(signal.SIGALRM, _alarm)
inputs = [ast.literal_eval(s) for s in job["inputs"]]
res = []
for code, entry in zip(job["programs"], job["entries"]):
    if code is None:
        res.append(None); continue
    ns = {"__name__": "candidate"}
    try:
        signal.setitimer(signal.ITIMER_REAL, job["timeout"])
        exec(compile(code, "<candidate>", "exec"), ns)
        signal.setitimer(signal.ITIMER_REAL, 0)
        fn = ns[entry]
    except BaseException:
        signal.setitimer(signal.ITIMER_REAL, 0)
        res.append(None); continue
    outs = []
    for args in inputs:
        try:
            signal.setitimer(signal.ITIMER_REAL, job["timeout"])
            val = fn(*copy.deepcopy(args))
            signal.setitimer(signal.ITIMER_REAL, 0)
            outs.append(repr(val)[:500])
        except BaseException as e:
            signal.setitimer(signal.ITIMER_REAL, 0)
            outs.append("!" + type(e).__name__)
    res.append(outs)
_out.write(json.dumps(res))
'''


@lru_cache(maxsize=1)
def _unshare_prefix() -> tuple[str, ...]:
    """``unshare -rn`` (a private network namespace, no root needed) when this kernel allows it."""
    exe = shutil.which("unshare")
    if exe is None:
        return ()
    try:
        ok = subprocess.run([exe, "-rn", "true"], capture_output=True, timeout=5).returncode == 0
    except (OSError, subprocess.SubprocessError):
        ok = False
    return (exe, "-rn") if ok else ()


def _limits(cpu_s: int, mem_bytes: int) -> None:  # runs in the child before exec
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s))
    resource.setrlimit(resource.RLIMIT_AS, (mem_bytes, mem_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))


def _run_sandboxed(programs: list[str | None], entries: list[str | None], inputs: list[str], call_timeout_s: float,
                   wall_s: float, mem_mb: int) -> list[list[str] | None] | None:
    job = json.dumps({"programs": programs, "entries": entries, "inputs": inputs, "timeout": call_timeout_s})
    with tempfile.TemporaryDirectory(prefix="routerlab-code-") as tmp:
        cmd = [*_unshare_prefix(), sys.executable, "-I", "-c", _CHILD]
        try:
            proc = subprocess.run(cmd, input=job, capture_output=True, text=True, timeout=wall_s, cwd=tmp,
                                  env={"PATH": "/usr/bin:/bin"},
                                  preexec_fn=lambda: _limits(int(wall_s) + 1, mem_mb << 20))
        except subprocess.TimeoutExpired:
            return None
    if proc.returncode != 0:
        return None
    try:
        out: list[list[str] | None] = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return None
    return out


def behaviour_agreement(answers: Sequence[str], call_timeout_s: float = 0.5, wall_s: float = 20.0,
                        mem_mb: int = 512) -> np.ndarray:
    """(m, m): 1 where two answers' entry functions give the same outputs on the inputs either of
    them proposed plus the generic ones, 0 where they differ, NaN where either could not run or
    every shared input raised in both."""
    if call_timeout_s <= 0 or wall_s <= 0 or mem_mb < 64:
        raise InvalidRequestError("behaviour_agreement needs call_timeout_s > 0, wall_s > 0 and mem_mb >= 64")
    codes = [extract_code(a) for a in answers]
    entries = [entry_function(c) if c else None for c in codes]
    m = len(answers)
    out = np.full((m, m), np.nan)
    names = {e for e in entries if e}
    pool: list[str] = []
    owner: list[int] = []  # which answer proposed each input (-1: generic)
    for i, a in enumerate(answers):
        if codes[i] is None:
            continue
        for r in example_inputs(a, names):
            if r not in pool:
                pool.append(r)
                owner.append(i)
    for arity_inputs in GENERIC_INPUTS.values():
        for args in arity_inputs:
            pool.append(repr(args))
            owner.append(-1)
    runnable = [i for i in range(m) if codes[i] is not None and entries[i] is not None]
    if len(runnable) < 2:
        return out
    res = _run_sandboxed([codes[i] if i in runnable else None for i in range(m)], entries, pool,
                         call_timeout_s, wall_s, mem_mb)
    if res is None:
        return out
    own = np.asarray(owner)
    for i in runnable:
        for j in runnable:
            oi, oj = res[i], res[j]
            if oi is None or oj is None:
                continue
            use = np.flatnonzero((own == -1) | (own == i) | (own == j))
            informative = [u for u in use if not (oi[u].startswith("!") and oj[u].startswith("!"))]
            if informative:
                out[i, j] = float(all(oi[u] == oj[u] for u in use))
    return out


def _cache_file(answers: Sequence[str]) -> Path:
    h = hashlib.sha256(json.dumps([_VERSION, *map(str, answers)]).encode()).hexdigest()
    return cache_dir() / "code_checks" / h[:2] / f"{h}.json"


def _nan_to_none(a: np.ndarray) -> list[list[float | None]]:
    return [[None if np.isnan(v) else float(v) for v in row] for row in a]


def _cached_checks(answers: Sequence[str], use_cache: bool) -> tuple[np.ndarray, np.ndarray]:
    path = _cache_file(answers)
    if use_cache and path.is_file():
        try:
            d = json.loads(path.read_text())
            return np.array(d["program"], dtype=float), np.array(d["behaviour"], dtype=float)
        except (OSError, ValueError, KeyError):
            pass  # a bad cache file is recomputed and rewritten
    prog, beh = program_agreement(answers), behaviour_agreement(answers)
    if use_cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w") as fh:
            json.dump({"program": _nan_to_none(prog), "behaviour": _nan_to_none(beh)}, fh)
        os.replace(tmp, path)
    return prog, beh


def code_agreement_tensor(responses: np.ndarray, use_cache: bool = True, check: str = "both",
                          cols: Sequence[int] | None = None) -> np.ndarray:
    """(n, m, m) agreement of the recorded code answers of each prompt (NaN where the checks
    cannot say; rows where fewer than two answers carry code are all NaN). ``check``:
    ``"program"`` (normalised trees), ``"behaviour"`` (outputs), or ``"both"``: behaviour where it
    could run, else the trees. ``cols``: check only these models' answers (the others stay NaN),
    e.g. the models of a cascade: the checks' time grows with the number of answers."""
    from .answer_features import has_code

    if check not in ("program", "behaviour", "both"):
        raise InvalidRequestError(f"check must be 'program', 'behaviour' or 'both', got {check!r}")
    R = np.asarray(responses, dtype=object)
    if R.ndim != 2:
        raise InvalidRequestError(f"responses must be (n, m) answer texts, got shape {R.shape}")
    n, m = R.shape
    c = np.arange(m) if cols is None else np.asarray(list(cols), dtype=int)
    if c.size < 2 or c.min() < 0 or c.max() >= m:
        raise InvalidRequestError(f"cols must name at least two of the {m} columns")
    out = np.full((n, m, m), np.nan)
    for r in range(n):
        answers = [str(a) for a in R[r, c]]
        if sum(has_code(a) for a in answers) < 2:
            continue
        if check == "program":
            both = program_agreement(answers)
        else:
            prog, beh = _cached_checks(answers, use_cache)
            both = beh if check == "behaviour" else np.where(np.isnan(beh), prog, beh)
        out[r, c[:, None], c[None, :]] = both
    return out
