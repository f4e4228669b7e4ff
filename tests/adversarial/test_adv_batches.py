"""After batches (run_many makes and ends an event loop each time), nothing is left for the
garbage collector to clean up on a closed loop: stderr stays free of "Event loop is closed" and
"Task exception was never retrieved"."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = """
import gc, sys
sys.path.insert(0, {tests!r})
from clientkit import client, model
from faultserver import FaultServer
from routerlab.types import Request
with FaultServer(fault_rate=0.3, seed=1, hang_s=0.5) as fs:
    for prefix in ("fso", "fsa", "fsl"):
        c = client(fs.url, [model(prefix + ":ok")], timeout_s=0.3)
        for _ in range(2):
            outs = c.run_many([Request.user(f"q{{i}}") for i in range(30)], model=prefix + ":ok", progress=False)
            assert len(outs) == 30
    del c  # the earlier clients went when c was rebound: each drops its pools on a closed loop
    gc.collect()
print("done")
"""


def test_batches_leave_no_closed_loop_errors():
    tests = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, "-c", SCRIPT.format(tests=tests)], capture_output=True, text=True,
                         timeout=180, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert out.returncode == 0 and out.stdout.strip() == "done", out.stderr[-2000:]
    assert "Event loop is closed" not in out.stderr and "never retrieved" not in out.stderr, out.stderr[-2000:]
