"""Time `import routerlab` in a fresh interpreter, against a bare interpreter start (baseline)."""

import statistics
import subprocess
import sys
import time


def run(code: str, n: int = 7) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


if __name__ == "__main__":
    base = run("pass")
    lib = run("import routerlab")
    print(f"python -c pass:            {base * 1000:7.1f} ms")
    print(f"python -c 'import routerlab': {lib * 1000:7.1f} ms  (import itself: {(lib - base) * 1000:.1f} ms, ratio {lib / base:.2f}x)")
