#!/usr/bin/env python3
"""PyTorch side of the AutoCurv benchmarks (issue 5): the same workloads and quantities, float64, one thread.

W1  MLP 4 -> 16 tanh -> 3, softmax cross-entropy, one sample (131 parameters, one flat w)
W2  MLP 784 -> 128 tanh -> 10, softmax cross-entropy, one sample (101,770 parameters)
W3  the W2 network over a batch of 64 samples (mean loss; batched matrix products)
W4  Rosenbrock, n = 1000

Quantities: forward (loss, no graph), gradient (autograd), H.v (double backward), GGN.v (J v by the double-vjp
trick, H_l by the softmax formula, then J^T), exact diag GGN (C VJPs with the columns of the softmax Hessian
factor S, H_l = S S^T, squared and summed), dense Hessian of W1 (torch.autograd.functional.hessian).

Inputs come from the same formulas as benchmarks/AutoCurv.Benchmarks/Workloads.cs (Inputs), with the same flat
parameter layout, so the checksums (sum_i r_i (1 + i mod 7)) of both sides can be compared.

Usage: benchmarks/torch/run.sh [--json out.json] [--only W1,W4] [--seconds 1.0]
"""
import argparse
import json
import math
import os
import platform
import re
import statistics
import sys
import time

import torch

torch.set_num_threads(1)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass
torch.set_default_dtype(torch.float64)
DT = torch.float64
HESSIAN_VECTORIZE = True

DISPLAY = {"forward": "forward", "gradient": "gradient", "hvp": "H·v", "ggnvp": "GGN·v",
           "diag_ggn": "diag GGN", "dense_h": "dense H"}


# ---------------------------------------------------------------- inputs (same formulas as Workloads.cs)

def mlp_weights(d, hidden, c):
    n = hidden * (d + 1) + c * (hidden + 1)
    offset = hidden * (d + 1)
    i = torch.arange(n, dtype=DT)
    scale = torch.where(i < offset, torch.tensor(1.0 / math.sqrt(d), dtype=DT), torch.tensor(1.0 / math.sqrt(hidden), dtype=DT))
    return 2.0 * scale * torch.sin(0.37 * i + 0.1)


def mlp_inputs(d, count):
    s = torch.arange(count, dtype=DT).unsqueeze(1)
    i = torch.arange(d, dtype=DT).unsqueeze(0)
    return 0.5 + 0.5 * torch.sin(1.3 * i + 0.7 * s + 0.2)


def one_hot_targets(c, count):
    y = torch.zeros(count, c, dtype=DT)
    for s in range(count):
        y[s, (3 * s + 1) % c] = 1.0
    return y


def direction(n):
    return torch.cos(0.11 * torch.arange(n, dtype=DT))


def rosenbrock_point(n):
    return 0.9 + 0.2 * torch.sin(0.5 * torch.arange(n, dtype=DT))


def checksum(r):
    r = r.reshape(-1)
    weights = 1.0 + (torch.arange(r.numel()) % 7).to(DT)
    return float((r * weights).sum())


# ---------------------------------------------------------------- models

def mlp_logits(w, x, d, hidden, c):
    """x: (B, d) -> logits (B, c); layout of Mlp.Forward: rows (d weights + bias) x hidden, then (hidden + bias) x c."""
    off = hidden * (d + 1)
    l1 = w[:off].view(hidden, d + 1)
    l2 = w[off:].view(c, hidden + 1)
    h = torch.tanh(torch.addmm(l1[:, d], x, l1[:, :d].t()))
    return torch.addmm(l2[:, hidden], h, l2[:, :hidden].t())


def sce(logits, y):
    """Mean over the batch of -sum_c y_c log softmax(f)_c."""
    return -(y * torch.log_softmax(logits, dim=1)).sum() / logits.shape[0]


def softmax_hessian_vector(logits, y, u):
    """Per sample s (diag p - p p^T) u with s = sum_c y_c (the loss Hessian w.r.t. the logits)."""
    p = torch.softmax(logits, dim=1)
    mass = y.sum(dim=1, keepdim=True)
    return mass * (p * u - p * (p * u).sum(dim=1, keepdim=True))


def softmax_hessian_factor(logits, y):
    """S with S S^T = s (diag p - p p^T): S = sqrt(s) (diag sqrt(p) - p sqrt(p)^T); logits (1, C) -> (C, C)."""
    p = torch.softmax(logits, dim=1)[0]
    r = torch.sqrt(p)
    return math.sqrt(float(y.sum())) * (torch.diag(r) - torch.outer(p, r))


def split_params(w, d, hidden, c):
    """The flat layout of Mlp.Forward as the four tensors PyTorch code normally holds: A1 (hidden, d), b1, A2 (c, hidden), b2."""
    off = hidden * (d + 1)
    l1 = w[:off].view(hidden, d + 1)
    l2 = w[off:].view(c, hidden + 1)
    return [l1[:, :d].contiguous(), l1[:, d].contiguous(), l2[:, :hidden].contiguous(), l2[:, hidden].contiguous()]


def flatten_params(parts, d, hidden, c):
    """Inverse of split_params (for checksums, outside the timed code)."""
    a1, b1, a2, b2 = parts
    return torch.cat([torch.cat([a1, b1.unsqueeze(1)], 1).reshape(-1), torch.cat([a2, b2.unsqueeze(1)], 1).reshape(-1)])


class MlpWorkload:
    """layout 'split' (default): four leaf tensors, the way PyTorch models hold parameters (no gather/scatter of a flat
    vector in the timed code); layout 'flat': one flat w sliced with views, exactly like Mlp.Forward."""

    def __init__(self, name, d, hidden, c, count, dense, layout):
        self.name, self.d, self.hidden, self.c, self.count, self.layout = name, d, hidden, c, count, layout
        self.w0 = mlp_weights(d, hidden, c)
        self.n = self.w0.numel()
        self.x = mlp_inputs(d, count)
        self.y = one_hot_targets(c, count)
        v = direction(self.n)
        if layout == "split":
            self.p0 = split_params(self.w0, d, hidden, c)
            self.v = split_params(v, d, hidden, c)
        else:
            self.p0 = [self.w0]
            self.v = [v]
        self.cases = [("forward", self.forward), ("gradient", self.gradient), ("hvp", self.hvp), ("ggnvp", self.ggnvp)]
        if count == 1:
            self.cases.append(("diag_ggn", self.diag_ggn))
        if dense:
            self.cases.append(("dense_h", self.dense_h))

    def result_vector(self, quantity, r):
        """A result in the flat layout of Mlp.Forward (the dense Hessian is already n x n over the flat w)."""
        if quantity == "dense_h" or self.layout == "flat":
            return r[0]
        return flatten_params(list(r), self.d, self.hidden, self.c)

    def logits(self, params):
        if self.layout == "split":
            a1, b1, a2, b2 = params
            h = torch.tanh(torch.addmm(b1, self.x, a1.t()))
            return torch.addmm(b2, h, a2.t())
        return mlp_logits(params[0], self.x, self.d, self.hidden, self.c)

    def leaves(self):
        return [p.detach().requires_grad_(True) for p in self.p0]

    def forward(self):
        with torch.no_grad():
            loss = sce(self.logits(self.p0), self.y)
        return float(loss), None

    def gradient(self):
        params = self.leaves()
        loss = sce(self.logits(params), self.y)
        grads = torch.autograd.grad(loss, params)
        return float(loss), grads

    def hvp(self):
        params = self.leaves()
        loss = sce(self.logits(params), self.y)
        grads = torch.autograd.grad(loss, params, create_graph=True)
        hv = torch.autograd.grad(grads, params, self.v)
        return float(loss), hv

    def ggnvp(self):
        params = self.leaves()
        f = self.logits(params)
        loss = sce(f, self.y)
        # J v by the double-vjp trick: g(u) = J^T u is linear in u, so d/du <g(u), v> = J v.
        u = torch.zeros_like(f, requires_grad=True)
        jtu = torch.autograd.grad(f, params, u, create_graph=True)
        (jv,) = torch.autograd.grad(jtu, u, self.v)
        hjv = softmax_hessian_vector(f.detach(), self.y, jv) / self.count
        gv = torch.autograd.grad(f, params, hjv)
        return float(loss), gv

    def diag_ggn(self):
        params = self.leaves()
        f = self.logits(params)
        loss = sce(f, self.y)
        s = softmax_hessian_factor(f.detach(), self.y)
        diag = [torch.zeros_like(p) for p in params]
        for col in range(self.c):
            grads = torch.autograd.grad(f, params, s[:, col].unsqueeze(0), retain_graph=col + 1 < self.c)
            for acc, g in zip(diag, grads):
                acc.add_(g * g)
        return float(loss), diag

    def dense_h(self):
        # Over the flat w (n x n, row-major like FLossHessian); vectorize=True batches the n backward passes with vmap.
        def loss_of_flat(w):
            return sce(mlp_logits(w, self.x, self.d, self.hidden, self.c), self.y)
        h = torch.autograd.functional.hessian(loss_of_flat, self.w0, vectorize=HESSIAN_VECTORIZE)
        with torch.no_grad():
            loss = loss_of_flat(self.w0)
        return float(loss), [h]


class RosenbrockWorkload:
    def __init__(self, name, n):
        self.name = name
        self.x0 = rosenbrock_point(n)
        self.v = direction(n)
        self.cases = [("forward", self.forward), ("gradient", self.gradient), ("hvp", self.hvp)]

    @staticmethod
    def result_vector(quantity, r):
        return r

    @staticmethod
    def f(x):
        a = x[1:] - x[:-1] * x[:-1]
        b = 1.0 - x[:-1]
        return (100.0 * a * a + b * b).sum()

    def forward(self):
        with torch.no_grad():
            return float(self.f(self.x0)), None

    def gradient(self):
        x = self.x0.detach().requires_grad_(True)
        y = self.f(x)
        (g,) = torch.autograd.grad(y, x)
        return float(y), g

    def hvp(self):
        x = self.x0.detach().requires_grad_(True)
        y = self.f(x)
        (g,) = torch.autograd.grad(y, x, create_graph=True)
        (hv,) = torch.autograd.grad(g, x, self.v)
        return float(y), hv


# ---------------------------------------------------------------- timing

def measure(fn, seconds):
    """Median over batches of calls (each batch ~2 ms) after a 0.3 s warm-up; returns (median us, min us, samples, inner)."""
    t0 = time.perf_counter()
    calls = 0
    while time.perf_counter() - t0 < 0.3 or calls < 3:
        fn()
        calls += 1
    per_call = (time.perf_counter() - t0) / calls
    inner = max(1, int(0.002 / per_call))
    samples = []
    t0 = time.perf_counter()
    while (time.perf_counter() - t0 < seconds or len(samples) < 15) and len(samples) < 5000:
        s = time.perf_counter_ns()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter_ns() - s) / 1e3 / inner)
    return statistics.median(samples), min(samples), len(samples), inner


def blas_libraries():
    try:
        maps = open("/proc/self/maps").read()
    except OSError:
        return []
    return sorted(set(os.path.basename(p) for p in re.findall(r"/\S*(?:blas|lapack|mkl)\S*\.so\S*", maps)))


def cpu_capability():
    m = re.search(r"CPU capability usage: (\S+)", torch.__config__.show())
    return m.group(1) if m else "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", help="write the results here (read by the C# quick run: --torch FILE)")
    ap.add_argument("--only", help="comma-separated workloads, e.g. W1,W4")
    ap.add_argument("--seconds", type=float, default=1.0, help="measuring time per quantity (default 1)")
    ap.add_argument("--layout", choices=["split", "flat"], default="split",
                    help="MLP parameters as four leaf tensors (split, default: idiomatic PyTorch) or one flat w sliced with views (flat)")
    ap.add_argument("--hessian-loop", action="store_true",
                    help="dense Hessian with vectorize=False (one backward pass per row) instead of vmap")
    args = ap.parse_args()
    global HESSIAN_VECTORIZE
    HESSIAN_VECTORIZE = not args.hessian_loop

    workloads = [
        ("W1", lambda: MlpWorkload("W1", 4, 16, 3, 1, dense=True, layout=args.layout)),
        ("W2", lambda: MlpWorkload("W2", 784, 128, 10, 1, dense=False, layout=args.layout)),
        ("W3", lambda: MlpWorkload("W3", 784, 128, 10, 64, dense=False, layout=args.layout)),
        ("W4", lambda: RosenbrockWorkload("W4", 1000)),
    ]
    if args.only:
        keep = {k.strip().upper() for k in args.only.split(",")}
        workloads = [w for w in workloads if w[0] in keep]

    results = {}
    rows = []
    started = time.perf_counter()
    for key, make in workloads:
        wl = make()
        results[key] = {}
        forward = None
        for quantity, fn in wl.cases:
            median, best, count, inner = measure(fn, args.seconds)
            value, r = fn()
            cs = value if r is None else checksum(wl.result_vector(quantity, r))
            if quantity == "forward":
                forward = median
            results[key][quantity] = {"median_us": median, "min_us": best, "loss": value, "checksum": cs}
            rows.append((key, quantity, median, median / forward, value, cs))
            print(f"{key:<4} {DISPLAY[quantity]:<9} {median:12.3f} us  ({count} samples x {inner} calls)", file=sys.stderr)

    meta = {
        "implementation": "PyTorch",
        "torch": torch.__version__,
        "python": platform.python_version(),
        "threads": torch.get_num_threads(),
        "blas": blas_libraries(),
        "cpu_capability": cpu_capability(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "layout": args.layout,
        "hessian_vectorize": HESSIAN_VECTORIZE,
        "seconds": time.perf_counter() - started,
    }
    print("| workload | quantity | PyTorch median µs | ÷ forward |")
    print("|---|---|---:|---:|")
    for key, quantity, median, ratio, _, _ in rows:
        print(f"| {key} | {DISPLAY[quantity]} | {median:,.1f} | {ratio:.2f} |")
    print()
    print("| workload | quantity | loss | checksum |")
    print("|---|---|---:|---:|")
    for key, quantity, _, _, value, cs in rows:
        print(f"| {key} | {DISPLAY[quantity]} | {value!r} | {cs:.10E} |")
    print()
    print(f"PyTorch {meta['torch']}, Python {meta['python']}, {meta['threads']} thread(s), float64, "
          f"BLAS {', '.join(meta['blas']) or '?'}, CPU capability {meta['cpu_capability']}, "
          f"OPENBLAS_CORETYPE={meta['OPENBLAS_CORETYPE']}, MLP layout {meta['layout']}, "
          f"dense Hessian vectorize={meta['hessian_vectorize']}; {meta['seconds']:.1f} s")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"meta": meta, "results": results}, fh, indent=2)


if __name__ == "__main__":
    main()
