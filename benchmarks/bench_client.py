"""Client overhead vs calling the SDK directly, and the local model's TTFT and tokens/s.

    python benchmarks/bench_client.py [--calls 20] [--max-tokens 16]

Both paths run in the same process against the same real llama.cpp server (SmolLM2-135M,
1 thread), with the same prompts, alternating call by call so drift hits both alike. A second
pair measures the client's own bookkeeping (planning, budget, pricing, trace) with no network,
using the replay provider directly vs through the client.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the loopback stub server used for a noise-free pair

from routerlab.client import Client  # noqa: E402
from routerlab.providers.local import LocalServer  # noqa: E402
from routerlab.providers.openai import OpenAIProvider  # noqa: E402
from routerlab.providers.replay import Recorded, ReplayProvider  # noqa: E402
from routerlab.types import Request  # noqa: E402

PROMPTS = [
    "Name a colour.", "What is 2 + 3?", "Say hello in French.", "Give a synonym for fast.",
    "Name a planet.", "What day follows Monday?", "Name a fruit.", "Spell cat backwards.",
]


def direct_sdk_call(sdk, prompt: str, max_tokens: int) -> float:
    """What a user would write by hand: stream a chat completion and read every chunk."""
    t = time.perf_counter()
    stream = sdk.chat.completions.create(
        model="smollm2-135m", messages=[{"role": "user", "content": prompt}], max_completion_tokens=max_tokens,
        temperature=0.0, stream=True, stream_options={"include_usage": True},
    )
    text = []
    for chunk in stream:
        for choice in chunk.choices:
            if choice.delta and choice.delta.content:
                text.append(choice.delta.content)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=20)
    ap.add_argument("--max-tokens", type=int, default=16)
    ap.add_argument("--speed-tokens", type=int, default=64)
    args = ap.parse_args()

    import openai

    t0 = time.perf_counter()
    with LocalServer() as server:
        started = time.perf_counter() - t0
        sdk = openai.OpenAI(base_url=server.openai_base_url, api_key="local", max_retries=0)
        client = Client(providers={"local": OpenAIProvider(base_url=server.openai_base_url, name="local")})
        reqs = [Request.user(p, max_output_tokens=args.max_tokens, temperature=0.0) for p in PROMPTS]

        # warm both paths (SDK import, connection pool, llama.cpp prompt cache)
        for r in reqs:
            direct_sdk_call(sdk, r.messages[0].content, args.max_tokens)
            client.complete(r, model="local:smollm2-135m")

        def via_client(r: Request) -> float:
            t = time.perf_counter()
            client.complete(r, model="local:smollm2-135m")
            return time.perf_counter() - t

        # llama.cpp caches the last prompt, so whichever path goes second on a prompt is faster:
        # alternate the order every call so each path goes first half the time.
        direct, via = [], []
        for i in range(args.calls):
            r = reqs[i % len(reqs)]
            if i % 2 == 0:
                direct.append(direct_sdk_call(sdk, r.messages[0].content, args.max_tokens))
                via.append(via_client(r))
            else:
                via.append(via_client(r))
                direct.append(direct_sdk_call(sdk, r.messages[0].content, args.max_tokens))

        # local model speed: streamed TTFT and decode tokens/s at a longer output
        ttfts, tps = [], []
        for i in range(max(5, args.calls // 4)):
            req = Request.user(f"Write a short story about a robot named R{i}.", max_output_tokens=args.speed_tokens,
                               temperature=0.0)
            c = client.complete(req, model="local:smollm2-135m")
            if c.ttft_s is not None and c.usage.output_tokens > 1 and c.latency_s > c.ttft_s:
                ttfts.append(c.ttft_s)
                tps.append((c.usage.output_tokens - 1) / (c.latency_s - c.ttft_s))

    # the same pair against a loopback stub that answers instantly: the HTTP path without model time
    from faultserver import FaultServer

    with FaultServer() as stub:
        ssdk = openai.OpenAI(base_url=stub.url + "/v1", api_key="local", max_retries=0)
        sclient = Client(providers={"local": OpenAIProvider(base_url=stub.url + "/v1", name="local")})
        n_stub = 200
        for r in reqs:  # warm up
            direct_sdk_call(ssdk, r.messages[0].content, args.max_tokens)
            sclient.complete(r, model="local:smollm2-135m")
        sd, sv = [], []
        for i in range(n_stub):
            r = reqs[i % len(reqs)]
            sd.append(direct_sdk_call(ssdk, r.messages[0].content, args.max_tokens))
            t = time.perf_counter()
            sclient.complete(r, model="local:smollm2-135m")
            sv.append(time.perf_counter() - t)
    sdm, svm = statistics.median(sd), statistics.median(sv)

    # bookkeeping only: replay direct vs through the client (no network on either side)
    table = {"m": {p: Recorded(f"answer to {p}", 10, 5, 0.0, 0.0) for p in PROMPTS}}
    replay = ReplayProvider(table)
    rclient = Client(providers={"routerbench": ReplayProvider({"gpt-4-1106-preview": table["m"]})}, budget_usd=100.0)
    n_rep = 2000
    t = time.perf_counter()
    for i in range(n_rep):
        replay.complete(reqs[i % len(reqs)], "m")
    rep_direct = (time.perf_counter() - t) / n_rep
    t = time.perf_counter()
    for i in range(n_rep):
        rclient.complete(reqs[i % len(reqs)], model="routerbench:gpt-4-1106-preview")
    rep_client = (time.perf_counter() - t) / n_rep

    md, mv = statistics.mean(direct), statistics.mean(via)
    print(f"local llama.cpp server (SmolLM2-135M Q4_1, 1 thread): started and healthy in {started:.2f} s")
    print(f"{'measure':<52}{'value':>14}")
    print("-" * 66)
    print(f"{f'direct openai SDK call, mean of {args.calls} (ms)':<52}{md * 1e3:>14.1f}")
    print(f"{'routerlab Client.complete, same prompts (ms)':<52}{mv * 1e3:>14.1f}")
    print(f"{'client overhead per call (ms)':<52}{(mv - md) * 1e3:>14.2f}")
    print(f"{'ratio client / direct':<52}{mv / md:>14.3f}")
    print(f"{f'stub server: direct SDK, median of {n_stub} (ms)':<52}{sdm * 1e3:>14.2f}")
    print(f"{'stub server: Client.complete (ms)':<52}{svm * 1e3:>14.2f}")
    print(f"{'stub server: ratio client / direct':<52}{svm / sdm:>14.3f}")
    print(f"{'bookkeeping only: replay direct (us/call)':<52}{rep_direct * 1e6:>14.1f}")
    print(f"{'bookkeeping only: replay via Client (us/call)':<52}{rep_client * 1e6:>14.1f}")
    print(f"{'local model TTFT, median (ms)':<52}{statistics.median(ttfts) * 1e3:>14.1f}")
    print(f"{f'local model decode speed, median ({args.speed_tokens} tok) (tok/s)':<52}{statistics.median(tps):>14.1f}")


if __name__ == "__main__":
    main()
