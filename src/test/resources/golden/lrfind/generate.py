#!/usr/bin/env python3
"""Golden values for Anneal's LR range test suggestions (dev.anneal.tune.LrSuggestions, LossSmoother).

Writes suggestions.json: fixed loss curves (rates and raw losses), their bias-corrected smoothed losses, and for
several (skip_start, skip_end) pairs the rates each suggestion picks. The Java tests read the committed output;
CI never runs this script. Needs python3 and numpy only (no torch, no fastai, no Lightning).

The suggestion functions below transcribe the peers line for line (torch tensor ops replaced by their numpy or
list equivalents, which compute the same values):
  - valley, slide, minimum: fastai, fastai/callback/schedule.py (fastai 2.4+), and the slicing of Learner.lr_find:
    lrs[num_it//10:-5], then cut at the first NaN. The skip slice is written with explicit bounds here so that a
    skip of 0 keeps every point (Python's x[a:-0] is empty: Lightning PR 21923, fastai PR 430).
  - steep: Lightning's _LRFinder.suggestion (src/lightning/pytorch/tuner/lr_finder.py): argmin of the gradient of
    the smoothed losses; taken against ln(lr), which on an exponential ramp equals Lightning 1.x's
    np.gradient(loss).argmin() (asserted below) and pytorch-lr-finder's suggest_lr.
  - smoothing: fastai AvgSmoothLoss / Lightning _LRCallback: avg = beta*avg + (1-beta)*loss,
    smoothed = avg / (1 - beta**(i+1)).

Run: python3 generate.py  (from this directory; rewrites suggestions.json)
"""
import json
import math
import os

import numpy as np


def smooth(losses, beta):
    avg, out = 0.0, []
    for i, loss in enumerate(losses):
        avg = beta * avg + (1 - beta) * loss
        out.append(avg / (1 - beta ** (i + 1)))
    return out


# fastai valley, verbatim but for tensors -> lists
def valley(lrs, losses):
    n = len(losses)
    max_start, max_end = 0, 0
    lds = [1] * n
    for i in range(1, n):
        for j in range(0, i):
            if (losses[i] < losses[j]) and (lds[i] < lds[j] + 1):
                lds[i] = lds[j] + 1
            if lds[max_end] < lds[i]:
                max_end = i
                max_start = max_end - lds[max_end]
    sections = (max_end - max_start) / 3
    idx = max_start + int(sections) + int(sections / 2)
    return float(lrs[idx])


# fastai slide, verbatim (lr_diff=15, thresh=.005, adjust_value=1.)
def slide(lrs, losses, lr_diff=15, thresh=.005, adjust_value=1.):
    losses = np.asarray(losses)
    loss_grad = np.gradient(losses)
    r_idx = -1
    l_idx = r_idx - lr_diff
    local_min_lr = lrs[l_idx]
    while (l_idx >= -len(losses)) and (abs(loss_grad[r_idx] - loss_grad[l_idx]) > thresh):
        local_min_lr = lrs[l_idx]
        r_idx -= 1
        l_idx -= 1
    return float(local_min_lr) * adjust_value


# fastai minimum
def minimum(lrs, losses):
    return float(lrs[int(np.argmin(np.asarray(losses)))]) / 10


# Lightning steepest descent, against ln(lr)
def steep(lrs, losses):
    g = np.gradient(np.asarray(losses), np.log(np.asarray(lrs)))
    return float(lrs[int(np.argmin(g))])


def lightning_1x_steep(lrs, losses):
    return float(lrs[int(np.gradient(np.asarray(losses)).argmin())])


def kept(lrs, smoothed, skip_start, skip_end):
    n = len(smoothed)
    a = min(skip_start, n)
    b = max(a, n - skip_end)
    lrs, losses = lrs[a:b], smoothed[a:b]
    for i, v in enumerate(losses):
        if not math.isfinite(v):
            return lrs[:i], losses[:i]
    return lrs, losses


def suggest(lrs, losses):
    n = len(losses)
    return {
        "points": n,
        "valley": valley(lrs, losses) if n >= 1 else None,
        "steep": steep(lrs, losses) if n >= 2 else None,
        "minimum": minimum(lrs, losses) if n >= 1 else None,
        "slide": slide(lrs, losses) if n >= 16 else None,
    }


def exp_ramp(start, end, n):
    return [start * (end / start) ** (i / (n - 1)) for i in range(n)]


def linear_ramp(start, end, n):
    return [start + (end - start) * (i / (n - 1)) for i in range(n)]


def typical(lrs, rng, noise, best=1e-2, width=1.2, top=2.3, bottom=0.4):
    """Plateau at `top`, a descent in log lr towards `bottom` around `best`, then divergence above it."""
    out = []
    for lr in lrs:
        x = math.log10(lr / best)
        fall = (top - bottom) / (1 + math.exp(-2.5 * (x + width)))
        rise = 0.0 if x < 0 else 3.0 * x ** 2
        out.append(top - fall + rise + noise * rng.standard_normal())
    return out


def curves():
    rng = np.random.RandomState(20240611)
    lr100 = exp_ramp(1e-7, 10, 100)
    out = [
        ("exp_typical", lr100, typical(lr100, rng, 0.05)),
        ("exp_noisy", lr100, typical(lr100, rng, 0.3, best=3e-3)),
        ("exp_never_diverges", lr100, [2.3 - 1.9 * (i / 99) ** 2 + 0.01 * rng.standard_normal() for i in range(100)]),
        ("exp_strictly_decreasing", exp_ramp(1e-5, 1, 30), [3.0 - 0.05 * i for i in range(30)]),
    ]
    lin = linear_ramp(1e-4, 1.0, 80)
    out.append(("linear_typical", lin, typical(lin, rng, 0.03, best=0.3, width=0.8)))
    nan_tail = typical(lr100, rng, 0.05)
    nan_tail[90:] = [float("nan")] * 10
    out.append(("exp_nan_tail", lr100, nan_tail))
    out.append(("two_points", [1e-3, 1e-2], [2.0, 1.5]))
    out.append(("twelve_points", exp_ramp(1e-4, 1, 12), typical(exp_ramp(1e-4, 1, 12), rng, 0.02)))
    return out


def main():
    skips = [(10, 5), (0, 0), (0, 5), (10, 0), (3, 1)]
    result = {"generator": "generate.py", "beta": 0.98, "curves": []}
    for name, lrs, losses in curves():
        sm = smooth(losses, 0.98)
        cases = []
        for s0, s1 in skips:
            kl, ks = kept(lrs, sm, s0, s1)
            case = {"skip_start": s0, "skip_end": s1}
            case.update(suggest(kl, ks))
            if name.startswith("exp") and len(ks) >= 2:
                assert steep(kl, ks) == lightning_1x_steep(kl, ks), name
            cases.append(case)
        result["curves"].append({
            "name": name,
            "lrs": lrs,
            "losses": [None if math.isnan(v) else v for v in losses],
            "smoothed": [None if math.isnan(v) else v for v in sm],
            "cases": cases,
        })
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "suggestions.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
