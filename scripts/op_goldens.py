#!/usr/bin/python3
"""Golden values for the layer op families of the backends (dev.anneal.backend ConvOps, PoolOps, NormOps), from
PyTorch's own functions, at awkward shapes (batch 1, odd channels, padding, strides 2 and 3, non-square images and
kernels, kernels 1 and 5) and at the default CNN's layers' channel counts (batch 1 and smaller images, to keep the
files small: about 0.5 MB in all).

Every input is seeded float32 data in PyTorch's NCHW layout; the Java side converts it to channels last with the
backend's toChannelsLast, runs the ops, and converts the results back with toChannelsFirst. Per kind:

  conv2d      y = F.conv2d(x, w, b, stride, padding) and, for a seeded upstream gradient dy, the autograd gradients
              dx, dw, db of sum(y * dy). Anneal composes im2col + GEMM (+ bias) forward, dy^T im2col(x) for dw,
              column sums of dy for db and col2im(dy w) for dx.
  max_pool2d  y, indices = F.max_pool2d(x, k, s, p, return_indices=True) and dx = the autograd gradient for dy.
              indices are PyTorch's (flat h * W + w within each (n, c) plane); Anneal's argmax is
              (h * W + w) * C + c within each channels-last image. One case has many ties (small integers) and
              one has NaNs, several in some windows, to pin the tie and NaN rules.
  avg_pool2d  y = F.avg_pool2d(x, k, s, p) (count_include_pad=True, ceil_mode=False) and dx for dy.
  batch_norm  training: y = F.batch_norm(x, running_mean, running_var, gamma, beta, training=True, momentum, eps)
              with the running statistics after the update, the saved batch mean and inverse std of
              torch.native_batch_norm, dx, dgamma, dbeta for dy; then evaluation: F.batch_norm(x, ...,
              training=False) with the updated running statistics. 1d ([N, C]) and 2d ([N, C, H, W]) inputs.

Conv and batch norm run twice: in float32 (PyTorch's kernels) and in float64 on the same float32 values. The
fixture keeps the float64 results rounded once to float32, a reference without float32 rounding of its own, so a
comparison measures Anneal's error alone; the script prints, per case, the largest difference between PyTorch's
float32 run and that reference, as a scale for the Java test's tolerances. Pooling is exact in float32 (a max
selects, an average is a float sum in window order then one division in both implementations), so its fixture is
PyTorch's float32 output and the Java test expects the same bits. Dropout is not here: PyTorch's masks come from
another generator than Anneal's Philox.

Files (all replaced on each run), under src/test/resources/golden/ops/:
  cases.json   generator, torch version, and per case: name, kind, its parameters, the binary file and its
               tensors as {name, shape, dtype ("f32" or "i32"), offset (in 4-byte words)}.
  <case>.bin   little-endian float32 / int32 tensors in the header's order, row-major in PyTorch's layout.
Read by src/test/java/dev/anneal/backend/cpu/OpGoldenTest.java; CI never runs this script.

Run: /usr/bin/python3 scripts/op_goldens.py   (from anywhere; needs Debian's python3-torch 1.13 and numpy)
"""
import glob
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "src", "test", "resources", "golden", "ops")
torch.set_num_threads(1)

# name, n, inC, inH, inW, outC, (kH, kW), (strideH, strideW), (padH, padW)
CONV = [
    ("conv_batch1_k3", 1, 1, 5, 5, 1, (3, 3), (1, 1), (0, 0)),
    ("conv_odd_channels_pad1", 2, 3, 7, 5, 4, (3, 3), (1, 1), (1, 1)),
    ("conv_k5_stride2_pad2", 3, 5, 9, 8, 6, (5, 5), (2, 2), (2, 2)),
    ("conv_k1", 2, 7, 6, 9, 3, (1, 1), (1, 1), (0, 0)),
    ("conv_rect_kernel_mixed_stride", 1, 3, 8, 7, 2, (3, 2), (2, 1), (1, 0)),
    ("conv_k4_stride3x2", 4, 2, 5, 6, 3, (4, 4), (3, 2), (1, 2)),
    ("conv_cnn_layer1_14x14", 1, 1, 14, 14, 32, (3, 3), (1, 1), (1, 1)),
    ("conv_cnn_layer2_7x7", 1, 32, 7, 7, 64, (3, 3), (1, 1), (1, 1)),
]

# name, n, c, h, w, (kH, kW), (strideH, strideW), (padH, padW), data ("uniform", "ties", "nan")
POOL = [
    ("pool_batch1_k2", 1, 1, 4, 4, (2, 2), (2, 2), (0, 0), "uniform"),
    ("pool_odd_k2_drops_edge", 2, 3, 7, 5, (2, 2), (2, 2), (0, 0), "uniform"),
    ("pool_k3_stride2_pad1", 3, 5, 9, 8, (3, 3), (2, 2), (1, 1), "uniform"),
    ("pool_rect", 2, 7, 6, 9, (3, 2), (1, 2), (1, 1), "uniform"),
    ("pool_k5_stride3x2_pad2", 1, 2, 11, 10, (5, 5), (3, 2), (2, 2), "uniform"),
    ("pool_ties", 2, 3, 6, 6, (3, 3), (1, 1), (1, 1), "ties"),
    ("pool_nan", 1, 4, 6, 6, (3, 3), (2, 2), (1, 1), "nan"),
    ("pool_cnn_layer2_8x8", 1, 64, 8, 8, (2, 2), (2, 2), (0, 0), "uniform"),
]

# name, shape (1d [N, C] or 2d [N, C, H, W]), eps, momentum
NORM = [
    ("bn1d_two_rows", (2, 1), 1e-5, 0.1),
    ("bn1d_odd", (7, 5), 1e-5, 0.1),
    ("bn1d_batch64", (64, 10), 1e-3, 0.3),
    ("bn2d_small", (2, 3, 4, 5), 1e-5, 0.1),
    ("bn2d_batch1", (1, 7, 3, 3), 1e-5, 0.1),
    ("bn2d_cnn", (4, 16, 6, 6), 1e-5, 0.1),
]


class Case:
    def __init__(self, name, kind, params):
        self.name, self.kind, self.params = name, kind, params
        self.tensors, self.words = [], []

    def add(self, name, t, dtype="f32"):
        a = t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
        a = a.astype("<f4" if dtype == "f32" else "<i4")
        offset = sum(w.size for w in self.words)
        self.tensors.append({"name": name, "shape": list(a.shape), "dtype": dtype, "offset": offset})
        self.words.append(a.reshape(-1))

    def header(self):
        return {"name": self.name, "kind": self.kind, "params": self.params, "file": self.name + ".bin",
                "tensors": self.tensors}

    def write(self):
        with open(os.path.join(OUT, self.name + ".bin"), "wb") as f:
            for w in self.words:
                f.write(w.tobytes())


def gen(seed):
    return torch.Generator().manual_seed(seed)


def uniform(shape, g, scale=1.0):
    return (torch.rand(shape, generator=g, dtype=torch.float32) * 2 - 1) * scale


def conv_case(spec, seed):
    name, n, cin, h, w, cout, k, s, p = spec
    g = gen(seed)
    x = uniform((n, cin, h, w), g)
    bound = 1.0 / (cin * k[0] * k[1]) ** 0.5
    wt = uniform((cout, cin) + k, g, bound)
    b = uniform((cout,), g, bound)
    oh = (h + 2 * p[0] - k[0]) // s[0] + 1
    ow = (w + 2 * p[1] - k[1]) // s[1] + 1
    dy = uniform((n, cout, oh, ow), g)
    results = {}
    for dtype in (torch.float32, torch.float64):
        xs, ws, bs = (t.detach().clone().to(dtype).requires_grad_() for t in (x, wt, b))
        y = F.conv2d(xs, ws, bs, stride=s, padding=p)
        (y * dy.to(dtype)).sum().backward()
        results[dtype] = [y, xs.grad, ws.grad, bs.grad]
    c = Case(name, "conv2d", {"n": n, "in_c": cin, "in_h": h, "in_w": w, "out_c": cout, "kernel": list(k),
                              "stride": list(s), "padding": list(p)})
    for nm, t in (("x", x), ("weight", wt), ("bias", b), ("dy", dy)):
        c.add(nm, t)
    for nm, ref, f32 in zip(("y", "dx", "dweight", "dbias"), results[torch.float64], results[torch.float32]):
        c.add(nm, ref.float())
        report(name, nm, f32, ref)
    return c


def pool_data(shape, kind, g):
    if kind == "ties":
        return torch.randint(0, 3, shape, generator=g).float()
    x = uniform(shape, g, 4.0)
    if kind == "nan":
        flat = x.view(-1)
        idx = torch.randperm(flat.numel(), generator=g)[: flat.numel() // 6]
        flat[idx] = float("nan")
    return x


def pool_case(spec, seed, kind_name):
    name, n, ch, h, w, k, s, p, data = spec
    g = gen(seed)
    x = pool_data((n, ch, h, w), data, g)
    oh = (h + 2 * p[0] - k[0]) // s[0] + 1
    ow = (w + 2 * p[1] - k[1]) // s[1] + 1
    dy = uniform((n, ch, oh, ow), g)
    c = Case(name + "_" + kind_name, kind_name, {"n": n, "c": ch, "in_h": h, "in_w": w, "kernel": list(k),
                                                 "stride": list(s), "padding": list(p), "data": data})
    c.add("x", x)
    c.add("dy", dy)
    outs = []
    for layout in (torch.contiguous_format, torch.channels_last):
        xs = x.clone().to(memory_format=layout).requires_grad_()
        if kind_name == "max_pool2d":
            y, idx = F.max_pool2d(xs, k, s, p, return_indices=True)
        else:
            y, idx = F.avg_pool2d(xs, k, s, p), None
        (y * dy).sum().backward()
        outs.append((y.contiguous(), idx, xs.grad.contiguous()))
    (y, idx, dx), (y2, idx2, dx2) = outs
    # PyTorch's NCHW and channels-last kernels must agree; they pin the same rules.
    assert torch.equal(y.isnan(), y2.isnan()) and torch.equal(y.nan_to_num(), y2.nan_to_num()), name
    assert idx is None or torch.equal(idx, idx2), name
    assert torch.equal(dx, dx2), name
    c.add("y", y)
    if idx is not None:
        c.add("indices", idx, "i32")
    c.add("dx", dx)
    return c


def norm_case(spec, seed):
    name, shape, eps, momentum = spec
    g = gen(seed)
    ch = shape[1]
    x = uniform(shape, g, 2.0) + torch.arange(ch, dtype=torch.float32).view((1, ch) + (1,) * (len(shape) - 2))
    gamma = torch.rand(ch, generator=g) + 0.5
    beta = uniform((ch,), g, 0.5)
    rm = uniform((ch,), g, 0.5)
    rv = torch.rand(ch, generator=g) * 1.5 + 0.5
    dy = uniform(shape, g)
    results = {}
    for dtype in (torch.float32, torch.float64):
        xs, gs, bs = (t.detach().clone().to(dtype).requires_grad_() for t in (x, gamma, beta))
        run_m, run_v = rm.to(dtype).clone(), rv.to(dtype).clone()
        y = F.batch_norm(xs, run_m, run_v, gs, bs, training=True, momentum=momentum, eps=eps)
        (y * dy.to(dtype)).sum().backward()
        _, save_mean, save_invstd = torch.native_batch_norm(xs.detach(), gs.detach(), bs.detach(), None, None,
                                                            True, momentum, eps)
        y_eval = F.batch_norm(xs.detach(), run_m, run_v, gs.detach(), bs.detach(), training=False, eps=eps)
        results[dtype] = [y, run_m, run_v, save_mean, save_invstd, xs.grad, gs.grad, bs.grad, y_eval]
    c = Case(name, "batch_norm", {"shape": list(shape), "eps": eps, "momentum": momentum})
    for nm, t in (("x", x), ("gamma", gamma), ("beta", beta), ("running_mean", rm), ("running_var", rv),
                  ("dy", dy)):
        c.add(nm, t)
    names = ("y", "running_mean_after", "running_var_after", "saved_mean", "saved_invstd", "dx", "dgamma",
             "dbeta", "y_eval")
    for nm, ref, f32 in zip(names, results[torch.float64], results[torch.float32]):
        c.add(nm, ref.float())
        report(name, nm, f32, ref)
    return c


def report(case, what, f32, ref):
    d = (f32.detach().double() - ref.detach().double()).abs()
    rel = (d / ref.detach().double().abs().clamp_min(1e-30)).max().item()
    print(f"  {case:32s} {what:20s} torch float32 vs float64: max abs {d.max().item():.2e}, max rel {rel:.2e}")


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in glob.glob(os.path.join(OUT, "*.bin")):
        os.remove(old)
    cases = []
    for i, spec in enumerate(CONV):
        cases.append(conv_case(spec, 100 + i))
    for i, spec in enumerate(POOL):
        cases.append(pool_case(spec, 200 + i, "max_pool2d"))
        cases.append(pool_case(spec, 300 + i, "avg_pool2d"))
    for i, spec in enumerate(NORM):
        cases.append(norm_case(spec, 400 + i))
    for c in cases:
        c.write()
    header = {"generator": "scripts/op_goldens.py", "torch": torch.__version__, "numpy": np.__version__,
              "cases": [c.header() for c in cases]}
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(header, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(p) for p in glob.glob(os.path.join(OUT, "*")))
    print(f"wrote {len(cases)} cases, {total} bytes, to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
