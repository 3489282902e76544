#!/usr/bin/python3
"""Golden values for `data.normalize: per_channel` (dev.anneal.data.Normalization, ArrayDatasets, MappedFeatures).

Writes src/test/resources/golden/normalization/per_channel.json: a few small fixed arrays (uint8 NHWC images, uint8
[N, H, W] images, float32 NCHW and NHWC images, float32 [N, D] vectors) with, computed by PyTorch in float64,

    x    = torch.from_numpy(a), permuted to NCHW (NHWC arrays), [N, H, W] as [N, 1, H, W]
    s    = x.double() / 255 for uint8 (the scaled pixels), x.double() for float32
    mean = s.mean(dim=(0, 2, 3))    std = s.std(dim=(0, 2, 3))        (dim=0 for [N, D]: one channel per feature)
    y    = ((x.double() * scale - mean[c]) / std[c]).float()           scale = 1/255 for uint8, 1 for float32

that is torch's per-channel statistics (the sample standard deviation, torch.std's default, divided by N - 1)
applied as torchvision's transforms.Normalize(mean=[...], std=[...]) applies them, written in Anneal's
formula x = (v * scale - mean[c]) / std[c] in double and rounded once to float32. The normalised rows of a few
samples are kept, flattened in NCHW order (feature j of a row is in channel j / (H * W)). exact_mean and exact_std
are the same statistics in exact rational arithmetic, rounded once to double (Python's fractions and decimal).

The Java test (PerChannelGoldenTest) reads the committed output; CI never runs this script. Torch sums in its own
order (and std by Welford's method), Anneal in index order in two passes, so the statistics may differ in their
last bits: the test allows 4 units in the last place against torch's (3 seen) and 1 against the exact ones, and
requires the float32 features to be torch's bits. Needs Debian's python3-torch (1.13) and python3-numpy
(apt-get install python3-torch); the committed file came from torch 1.13.0a0, numpy 1.24.2.

Run: /usr/bin/python3 scripts/per_channel_golden.py   (from the repository root; rewrites the JSON)
"""
import json
import os
from decimal import Decimal, getcontext
from fractions import Fraction

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "src", "test", "resources", "golden", "normalization", "per_channel.json")


def arrays():
    """(name, array, layout): fixed data whose channels have clearly different statistics."""
    rng = np.random.RandomState(20240611)
    cases = []
    # uint8 NHWC: channel 0 over the whole range, channel 1 in a narrow band, channel 2 dark.
    n, h, w = 8, 3, 4
    u8 = np.empty((n, h, w, 3), np.uint8)
    u8[..., 0] = rng.randint(0, 256, (n, h, w))
    u8[..., 1] = rng.randint(100, 161, (n, h, w))
    u8[..., 2] = rng.randint(0, 41, (n, h, w))
    cases.append(("u8_nhwc", u8, "nhwc"))
    # uint8 [N, H, W]: one channel (the IDX shape), so per_channel is the global statistics.
    cases.append(("u8_nhw", rng.randint(0, 256, (6, 4, 5)).astype(np.uint8), None))
    # float32 NCHW with very different channel scales.
    f = rng.standard_normal((7, 2, 3, 5))
    f[:, 0] = f[:, 0] * 0.5 + 3.5
    f[:, 1] = f[:, 1] * 40.0 - 120.25
    cases.append(("f32_nchw", f.astype(np.float32), "nchw"))
    # float32 NHWC, four channels.
    g = rng.standard_normal((6, 2, 3, 4)) * np.array([1.0, 10.0, 0.01, 1000.0]) + np.array([0.0, 5.0, -0.3, 2e4])
    cases.append(("f32_nhwc", g.astype(np.float32), "nhwc"))
    # float32 [N, D]: one channel per feature (scikit-learn's StandardScaler, with N - 1).
    v = rng.standard_normal((9, 5)) * np.array([1.0, 3.0, 0.2, 50.0, 7.0]) + np.array([0.0, -2.0, 1.0, 300.0, 9.5])
    cases.append(("f32_vectors", v.astype(np.float32), None))
    return cases


def exact(x, pixels):
    """Each channel's mean and sample standard deviation in exact rational arithmetic (pixels as v/255 exactly),
    rounded once to double: a reference independent of any summation order."""
    getcontext().prec = 60
    planes = x.reshape(x.shape[0], -1) if x.dim() == 2 else x.transpose(0, 1).reshape(x.shape[1], -1).t()
    means, stds = [], []
    for c in range(planes.shape[1]):
        vals = [Fraction(int(v), 255) if pixels else Fraction(float(v)) for v in planes[:, c].tolist()]
        m = sum(vals, Fraction(0)) / len(vals)
        var = sum(((v - m) ** 2 for v in vals), Fraction(0)) / (len(vals) - 1)
        means.append(float(m))
        stds.append(float((Decimal(var.numerator) / Decimal(var.denominator)).sqrt()))
    return means, stds


def golden(name, a, layout):
    x = torch.from_numpy(a)
    if layout == "nhwc":
        x = x.permute(0, 3, 1, 2)
    if x.dim() == 3:
        x = x.unsqueeze(1)
    dims = (0,) if x.dim() == 2 else (0, 2, 3)
    pixels = a.dtype == np.uint8
    scale = 1.0 / 255.0 if pixels else 1.0
    s = x.double() / 255 if pixels else x.double()
    mean = s.mean(dim=dims)
    std = s.std(dim=dims)
    shape = (1, -1) if x.dim() == 2 else (1, -1, 1, 1)
    y = ((x.double() * scale - mean.view(shape)) / std.view(shape)).float()
    exact_mean, exact_std = exact(x, pixels)
    n = a.shape[0]
    samples = sorted({0, n // 2, n - 1})
    return {
        "name": name,
        "dtype": "uint8" if pixels else "float32",
        "shape": list(a.shape),
        "layout": layout,
        "values": [int(v) for v in a.reshape(-1)] if pixels else [float(v) for v in a.reshape(-1)],
        "scale": scale,
        "channels": int(mean.numel()),
        "channel_size": int(y[0].numel() // mean.numel()),
        "mean": [float(m) for m in mean],
        "std": [float(d) for d in std],
        "exact_mean": exact_mean,
        "exact_std": exact_std,
        "samples": samples,
        "normalized": [[float(v) for v in y[i].reshape(-1)] for i in samples],
    }


def dumps(v, indent=""):
    """JSON with one key per line and every list of numbers on one line (shortest round-trip floats)."""
    if isinstance(v, dict):
        inner = indent + "  "
        return "{\n" + ",\n".join(inner + json.dumps(k) + ": " + dumps(x, inner) for k, x in v.items()) \
            + "\n" + indent + "}"
    if isinstance(v, list) and any(isinstance(x, (dict, list)) for x in v):
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + dumps(x, inner) for x in v) + "\n" + indent + "]"
    return json.dumps(v)


def main():
    torch.set_num_threads(1)
    out = {
        "generator": "scripts/per_channel_golden.py",
        "torch": torch.__version__,
        "cases": [golden(*c) for c in arrays()],
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write(dumps(out) + "\n")
    print("wrote", os.path.normpath(OUT), "with", len(out["cases"]), "cases")


if __name__ == "__main__":
    main()
