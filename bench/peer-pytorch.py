#!/usr/bin/env python3
"""The bench's steps in PyTorch on the CPU: what a user might pick instead of tfjs, on the same weights.

Times the same two steps as `npm run bench` (lib/bench/measure.ts): a naive step (the whole sequence
of P positions, logits for the last) and a cached step (one token against a cache of P - 1 positions,
grown with torch.cat as ours is with tf.concat), on the same token ids (benchIds), interleaved, with
warm-ups, each timed step after --run-up untimed cached steps (4, as lib/bench/schedule.ts's RUN_UP:
the weights where generation leaves them), and prints medians with their interquartile ranges. Needs Debian's python3-torch:

    python3 bench/peer-pytorch.py                          # austen's trained weights
    python3 bench/peer-pytorch.py --size 10m --positions 16,512,1000
    python3 bench/peer-pytorch.py --out bench/results-pytorch.json

The model is written out here from the GPT-2 definition (pre-LayerNorm, learned positions, tanh GELU,
tied head), independently of lib/gpt; --check compares its logits with a file `npx kvlab generate
--json --logits` wrote for the same prompt ids.
"""
import argparse
import json
import math
import os
import platform
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SIZES = {  # lib/lessons/sizes.ts
    "10m": dict(n_layer=6, n_head=6, n_kv_head=6, n_embd=384, n_ctx=1024, vocab_size=768),
    "85m": dict(n_layer=12, n_head=12, n_kv_head=12, n_embd=768, n_ctx=1024, vocab_size=768),
}


def load_austen(directory):
    cfg = json.load(open(os.path.join(directory, "config.json")))
    manifest = json.load(open(os.path.join(directory, "model.json")))["weightsManifest"]
    weights = {}
    for group in manifest:
        raw = b"".join(open(os.path.join(directory, p), "rb").read() for p in group["paths"])
        offset = 0
        for w in group["weights"]:
            assert w["dtype"] == "float32", w
            n = math.prod(w["shape"])
            arr = np.frombuffer(raw, dtype="<f4", count=n, offset=offset).reshape(w["shape"])
            weights[w["name"]] = torch.from_numpy(arr.copy())
            offset += 4 * n
    config = dict(n_layer=cfg["n_layer"], n_head=cfg["n_head"], n_kv_head=cfg.get("n_kv_head", cfg["n_head"]),
                  n_embd=cfg["n_embd"], n_ctx=cfg["n_ctx"], vocab_size=cfg["vocab_size"])
    return config, weights


def random_weights(c, seed):
    """GPT-2's initialisation (normal 0.02, residual projections scaled by 1/sqrt(2 n_layer)); time does not depend on values."""
    g = torch.Generator().manual_seed(seed)
    C, hs = c["n_embd"], c["n_embd"] // c["n_head"]
    kv = c["n_kv_head"] * hs
    normal = lambda *shape, std=0.02: torch.randn(*shape, generator=g) * std  # noqa: E731
    w = {"wte.weight": normal(c["vocab_size"], C), "wpe.weight": normal(c["n_ctx"], C),
         "ln_f.weight": torch.ones(C), "ln_f.bias": torch.zeros(C)}
    proj_std = 0.02 / math.sqrt(2 * c["n_layer"])
    for i in range(c["n_layer"]):
        h = f"h.{i}"
        w.update({
            f"{h}.ln_1.weight": torch.ones(C), f"{h}.ln_1.bias": torch.zeros(C),
            f"{h}.attn.c_attn.weight": normal(C, C + 2 * kv), f"{h}.attn.c_attn.bias": torch.zeros(C + 2 * kv),
            f"{h}.attn.c_proj.weight": normal(C, C, std=proj_std), f"{h}.attn.c_proj.bias": torch.zeros(C),
            f"{h}.ln_2.weight": torch.ones(C), f"{h}.ln_2.bias": torch.zeros(C),
            f"{h}.mlp.c_fc.weight": normal(C, 4 * C), f"{h}.mlp.c_fc.bias": torch.zeros(4 * C),
            f"{h}.mlp.c_proj.weight": normal(4 * C, C, std=proj_std), f"{h}.mlp.c_proj.bias": torch.zeros(C),
        })
    return w


def forward(c, w, ids, cache):
    """ids [T] → (logits of the last position [V], new cache: per layer (k, v) [n_kv_head, Tp + T, hs])."""
    C, nh, nkv = c["n_embd"], c["n_head"], c["n_kv_head"]
    hs, T = C // nh, ids.shape[0]
    pos0 = 0 if cache is None else cache[0][0].shape[1]
    x = w["wte.weight"][ids] + w["wpe.weight"][pos0:pos0 + T]  # [T, C]
    new_cache = []
    for i in range(c["n_layer"]):
        h = f"h.{i}"
        a = F.layer_norm(x, (C,), w[f"{h}.ln_1.weight"], w[f"{h}.ln_1.bias"], 1e-5)
        qkv = torch.addmm(w[f"{h}.attn.c_attn.bias"], a, w[f"{h}.attn.c_attn.weight"])
        q, k, v = qkv.split([C, nkv * hs, nkv * hs], dim=1)
        q = q.view(T, nh, hs).transpose(0, 1)  # [nh, T, hs]
        k = k.view(T, nkv, hs).transpose(0, 1)
        v = v.view(T, nkv, hs).transpose(0, 1)
        if cache is not None:
            k = torch.cat([cache[i][0], k], dim=1)
            v = torch.cat([cache[i][1], v], dim=1)
        new_cache.append((k, v))
        g = nh // nkv
        kk = k.repeat_interleave(g, dim=0) if g > 1 else k
        vv = v.repeat_interleave(g, dim=0) if g > 1 else v
        att = (q @ kk.transpose(1, 2)) * (1.0 / math.sqrt(hs))  # [nh, T, pos0 + T]
        if T > 1:  # query t (at position pos0 + t) sees keys 0 … pos0 + t
            att = att.masked_fill(~torch.ones(T, pos0 + T, dtype=torch.bool).tril(pos0), float("-inf"))
        y = torch.softmax(att, dim=-1) @ vv  # [nh, T, hs]
        y = y.transpose(0, 1).reshape(T, C)
        x = x + torch.addmm(w[f"{h}.attn.c_proj.bias"], y, w[f"{h}.attn.c_proj.weight"])
        m = F.layer_norm(x, (C,), w[f"{h}.ln_2.weight"], w[f"{h}.ln_2.bias"], 1e-5)
        m = F.gelu(torch.addmm(w[f"{h}.mlp.c_fc.bias"], m, w[f"{h}.mlp.c_fc.weight"]), approximate="tanh")
        x = x + torch.addmm(w[f"{h}.mlp.c_proj.bias"], m, w[f"{h}.mlp.c_proj.weight"])
    last = F.layer_norm(x[-1], (C,), w["ln_f.weight"], w["ln_f.bias"], 1e-5)
    return last @ w["wte.weight"].T, new_cache


def bench_ids(n, V):
    return [(i * 2654435761) % V for i in range(n)]


def spread(xs):
    q = statistics.quantiles(xs, n=4)
    return dict(median=statistics.median(xs), q25=q[0], q75=q[2], min=min(xs), max=max(xs), n=len(xs))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", default="austen", choices=["austen", *SIZES])
    ap.add_argument("--positions", default=None, help="comma-separated (default: 16,32,64,128,255 for austen, 16,512,1000 otherwise)")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=21)
    ap.add_argument("--run-up", type=int, default=4, help="untimed cached steps before each timed one (the bench's RUN_UP)")
    ap.add_argument("--out", default=None)
    ap.add_argument("--check", default=None, help="a `kvlab generate --json --logits` file: compare its first step's logits")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.size == "austen":
        c, w = load_austen(os.path.join(ROOT, "public/models/austen"))
    else:
        c, w = SIZES[a.size], random_weights(SIZES[a.size], 1)
    positions = [int(p) for p in (a.positions or ("16,32,64,128,255" if a.size == "austen" else "16,512,1000")).split(",")]

    with torch.inference_mode():
        if a.check:
            ref = json.load(open(a.check))
            prompt = torch.tensor(ref["promptIds"])
            got, _ = forward(c, w, prompt, None)
            want = torch.tensor(ref["steps"][0]["logits"])
            print(f"check: max |Δ logits| against tfjs = {float((got - want).abs().max()):.2e}")
        rows = []
        for P in positions:
            ids = torch.tensor(bench_ids(P, c["vocab_size"]))
            _, base = forward(c, w, ids[:-1], None)
            last = ids[-1:]
            steps = {"naive": lambda: forward(c, w, ids, None), "cached": lambda: forward(c, w, last, base)}
            samples = {"naive": [], "cached": []}
            for r in range(a.warmup + a.repeats):
                for kind in (["naive", "cached"] if r % 2 == 0 else ["cached", "naive"]):
                    for _ in range(a.run_up):
                        steps["cached"]()
                    t0 = time.perf_counter()
                    steps[kind]()
                    ms = (time.perf_counter() - t0) * 1e3
                    if r >= a.warmup:
                        samples[kind].append(ms)
            n, cch = spread(samples["naive"]), spread(samples["cached"])
            rows.append(dict(position=P, naiveMs=n["median"], cachedMs=cch["median"], speedup=n["median"] / cch["median"],
                             naiveSpread=n, cachedSpread=cch))
            print(f"| pytorch | {P} | {n['median']:.3g} ({n['q25']:.3g}–{n['q75']:.3g}) | "
                  f"{cch['median']:.3g} ({cch['q25']:.3g}–{cch['q75']:.3g}) | {n['median'] / cch['median']:.1f}× |", flush=True)
    result = dict(size=a.size, config=c, threads=a.threads, warmup=a.warmup, repeats=a.repeats, runUp=a.run_up, torch=torch.__version__,
                  machine=dict(cpu=platform.processor() or platform.machine(), cores=os.cpu_count(), python=platform.python_version()),
                  rows=rows)
    if a.out:
        json.dump(result, open(a.out, "w"), indent=2)
        print(f"Wrote {a.out}")


if __name__ == "__main__":
    main()
