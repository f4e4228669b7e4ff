"""The selection behind routerlab's default router: nested cross-validation on RouterBench's
*training* split only (``routerlab.evaluation.selection.select_router``). Prints every
candidate's inner-CV AIQ, the choice, and (``--outer-k``) what the whole procedure scores on
outer held-out folds, with its spread over fold seeds. CI never runs this (it fits hundreds of
routers); ``EnsembleRouter()`` is its result, fixed in code.

    .venv/bin/python benchmarks/select_default.py                       # inner CV: the choice
    .venv/bin/python benchmarks/select_default.py --families knn logistic # the grid behind k and C
    .venv/bin/python benchmarks/select_default.py --outer-k 3 --seeds 0 1 # and the procedure's spread
    .venv/bin/python benchmarks/select_default.py --reduced               # MLP hidden size and MF membership

``--reduced`` keeps kNN and logistic at their inner-CV choice (k=200 weighted, C=0.3, from
``--families knn logistic``) and searches the MLP's hidden size and whether MF is a member:
the full grid fits every family on every fold, which takes too long on a shared 2-core machine.
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from routerlab.datasets import load_routerbench_zs
from routerlab.evaluation.runs import embed_table
from routerlab.evaluation.selection import MEMBER_GRID, select_router


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--inner-k", type=int, default=3)
    ap.add_argument("--outer-k", type=int, default=0)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--families", nargs="+", default=["knn", "logistic", "mlp", "mf"],
                    help="member families to search (MLP and MF are the slow ones)")
    ap.add_argument("--reduced", action="store_true",
                    help="kNN k=200 and logistic C=0.3 fixed (their inner-CV choice); search MLP hidden and MF")
    args = ap.parse_args()
    grid = {k: v for k, v in MEMBER_GRID().items() if k in args.families}
    if args.reduced:
        fixed = {"knn": "kNN k=200 weighted", "logistic": "logistic C=0.3"}
        grid = {k: ({fixed[k]: v[fixed[k]]} if k in fixed else v) for k, v in MEMBER_GRID().items()}
    tr = load_routerbench_zs().split("train")
    X = embed_table(tr)
    t0 = time.time()
    sel = select_router(X, tr, groups=tr.prompts["benchmark"], inner_k=args.inner_k, outer_k=args.outer_k,
                        seeds=args.seeds, grid=grid)
    with pd.option_context("display.width", 200, "display.max_colwidth", 90, "display.float_format", "{:.4f}".format):
        print(f"RouterBench train split (n={len(tr)}), inner {args.inner_k}-fold CV, seed {args.seeds[0]}:")
        print(sel.inner.assign(members=sel.inner["members"].map(" + ".join)).to_string(index=False))
        if not sel.outer.empty:
            print(f"\nouter {args.outer_k}-fold CV, fold seeds {args.seeds}: the inner choice per fold")
            print(sel.outer.to_string(index=False))
    print("\n" + sel.summary())
    print(f"({time.time() - t0:.0f}s)")


if __name__ == "__main__":
    main()
