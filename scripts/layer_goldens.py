#!/usr/bin/python3
"""Golden values for the layer stack (dev.anneal.model): small sequential models covering every layer type, run
by PyTorch's own modules.

Each case is an Anneal `model:` config section (type sequential, or the mlp short form), built into an
nn.Sequential by scripts/pytorch_load_checkpoint.py's build_model (the builder that loads Anneal's checkpoints),
with seeded float32 parameters (PyTorch's default initialisation, then batch-norm gamma in U(0.5, 1.5), beta in
N(0, 0.2), running_mean in N(0, 0.5), running_var in U(0.5, 2), so that no parameter or statistic is trivial), a
seeded float32 input batch and seeded labels. In training mode (model.train()) it records

    logits = model(x)                                  x: [N, C, H, W] images or [N, D] vectors
    loss   = nn.CrossEntropyLoss()(logits, labels)     (the mean over the batch)
    the gradient of the loss for every parameter and for x
    every batch-norm buffer after that forward (running_mean, running_var; num_batches_tracked in the header)
    the parameters after one torch.optim.AdamW step (lr 1e-3, weight_decay 1e-4, betas and eps default)
    the parameters after one torch.optim.SGD step (lr 0.01, momentum 0.9, weight_decay 1e-4), from the same
    start and gradients

and in evaluation mode (model.eval(): batch norm uses its running statistics, dropout is the identity) the
logits and the loss only. Dropout appears only with p = 0 in training mode or in evaluation mode: a training
mask comes from another generator than Anneal's Philox.

The forward, backward and steps run in float64 (model.double() on the float32 values, so the inputs are exact)
and every result is rounded once to float32: the reference carries no float32 rounding of its own, and a
comparison measures Anneal's error alone. The generator prints, per case, the largest difference between that
reference and PyTorch's own float32 run, as a scale for the tolerances.

So that float32 rounding cannot change a discrete decision, it refuses a case whose relu input or max-pool window
comes within 1e-5 of a tie, or whose parameter gradient is a zero of the exact math left as rounding noise (a
bias just before batch norm: one optimizer step would turn its sign into +-lr). Exact ties are made on purpose in
max_pool_ties (inputs in steps of 0.5, convolution weights in steps of 0.25, so the convolution is exact in float32
and often ties between different patches): PyTorch gives the gradient to the first maximum in window order, and
the convolution's weight gradient shows which one got it. Last, every case is read back from the written files,
rebuilt and run in float32, and must give its stored logits.

Files (all replaced on each run), under src/test/resources/golden/layers/:
  cases.json   generator, torch version, the two optimizer specs (Anneal config keys) and per case: name, what it
               covers, the model section, the per-sample input shape ([C, H, W] or [D]), batch, classes, mode,
               labels, loss (float32 value as a double), the batch-norm num_batches_tracked before and after the
               forward, the binary file and its tensors as {name, shape, offset} (offset in floats).
  <case>.bin   little-endian float32 tensors, in the header's order, row-major in PyTorch's layout:
                 input                    [N, C, H, W] or [N, D]: each sample flattened is its (C, H, W) order,
                                          as Anneal's data loaders deliver it
                 param/NAME               initial parameters and buffers by state_dict name (0.weight
                                          [outC, inC, kH, kW], 1.running_mean, ...; no num_batches_tracked)
                 logits                   [N, classes]
                 grad/input, grad/NAME    gradients of the mean loss (training cases)
                 forward/NAME             running_mean and running_var after the forward (training cases)
                 adamw/NAME, sgd/NAME     parameters after one step of each optimizer (training cases)
Read by src/test/java/dev/anneal/model/LayerGoldenTest.java (CPU backend) and CudaLayerGoldenTest.java (tagged
gpu: a GPU or the emulated driver); CI never runs this script. Sequential computes no input gradient for its first
layer, so grad/input is kept for layer-level checks only.

Run: /usr/bin/python3 scripts/layer_goldens.py   (from anywhere; needs Debian's python3-torch 1.13 and numpy)
"""
import copy
import glob
import json
import os
import sys
import zlib

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_load_checkpoint import build_model  # noqa: E402  the checkpoint loader's builder, tested here too

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "src", "test", "resources", "golden", "layers"))
ADAMW = {"type": "adamw", "lr": 1e-3, "weight_decay": 1e-4}
SGD = {"type": "sgd", "lr": 0.01, "momentum": 0.9, "weight_decay": 1e-4}


def seq(*layers):
    return {"type": "sequential", "layers": [dict(type=t, **kw) for t, kw in layers]}


def conv(out, k, **kw):
    return "conv2d", dict(out_channels=out, kernel_size=k, **kw)


def pool(kind, k, **kw):
    return kind, dict(kernel_size=k, **kw)


def linear(out, **kw):
    return "linear", dict(out_features=out, **kw)


def plain(kind, **kw):
    return kind, kw


LENET = seq(conv(6, 3, padding=1), plain("relu"), pool("max_pool2d", 2), conv(8, 3, padding=1), plain("relu"),
            pool("max_pool2d", 2), plain("flatten"), linear(32), plain("relu"), linear(10))

QUANTIZED = {"max_pool_ties"}  # inputs rounded to multiples of 0.5, convolution parameters to multiples of 0.25
CASES = [
    # name, what it covers, model section, per-sample input shape, batch, classes, mode
    ("lenet", "the default CNN's shape in small: conv 3x3 padding 1, relu, max pool 2, flatten, linear",
     LENET, [1, 12, 12], 4, 10, "train"),
    ("lenet_batch1", "the same model on one sample", LENET, [1, 12, 12], 1, 10, "train"),
    ("conv_stride2_no_bias", "odd channels, non-square input, stride 2 with padding, no bias, a [3, 2] kernel "
     "with [0, 1] padding, tanh, gelu",
     seq(conv(5, 3, stride=2, padding=1, bias=False), plain("tanh"), conv(7, [3, 2], padding=[0, 1]),
         plain("gelu"), plain("flatten"), linear(4)), [3, 9, 7], 3, 4, "train"),
    ("pools_after_relu", "max pools 2 and 3 stride 2 padding 1 over relu outputs (ties of zeros: the first "
     "wins), average pools with and without padding (padding counted in the divisor), kernel 1 convolution",
     seq(conv(4, 1), plain("relu"), pool("max_pool2d", 2), pool("max_pool2d", 3, stride=2, padding=1),
         pool("avg_pool2d", 3, stride=1, padding=1), pool("avg_pool2d", 2), plain("flatten"), plain("gelu"),
         linear(5)),
     [2, 10, 9], 2, 5, "train"),
    ("pools_padding_negative", "max pool with padding over negative values (padding is never the maximum), "
     "even kernel with padding, a [2, 3] max pool with stride [1, 2], average pool 3 stride 2 padding 1",
     seq(conv(3, 2, padding=1), pool("max_pool2d", 3, stride=2, padding=1), pool("max_pool2d", [2, 3], stride=[1, 2]),
         pool("avg_pool2d", 3, stride=2, padding=1), plain("flatten"), linear(6)), [2, 8, 8], 3, 6, "train"),
    ("max_pool_ties", "max pools over a convolution whose inputs and weights are in steps of 0.5 and 0.25, so "
     "its outputs are exact and often tied between different patches: the first maximum in window order takes "
     "the gradient, which the convolution's weight gradient shows; padding 1 beside negative values, "
     "overlapping windows",
     seq(conv(3, 2), pool("max_pool2d", 3, stride=2, padding=1), pool("max_pool2d", 2, stride=1), plain("flatten"),
         linear(5)), [1, 8, 8], 3, 5, "train"),
    ("batch_norm2d", "batch norm 2d in training mode after convolutions without bias, momentum and eps set, "
     "dropout p 0",
     seq(conv(8, 3, padding=1, bias=False), plain("batch_norm2d"), plain("relu"), pool("max_pool2d", 2),
         conv(4, 3, padding=1, bias=False), plain("batch_norm2d", momentum=0.2, eps=1e-3), plain("gelu"),
         plain("flatten"), plain("dropout", p=0.0), linear(10)), [3, 6, 6], 4, 10, "train"),
    ("batch_norm2d_batch1", "batch norm 2d in training mode on one sample (statistics over H x W)",
     seq(conv(3, 3, padding=1, bias=False), plain("batch_norm2d"), plain("tanh"), pool("avg_pool2d", 2),
         plain("flatten"), linear(3)), [2, 5, 5], 1, 3, "train"),
    ("batch_norm1d", "batch norm 1d in training mode on the input features, after a linear layer without bias "
     "and after relu",
     seq(plain("batch_norm1d"), linear(16), plain("relu"), linear(9, bias=False),
         plain("batch_norm1d", momentum=0.05, eps=1e-3), plain("tanh"), plain("batch_norm1d"), linear(5)), [12], 6, 5,
     "train"),
    ("flatten_linear", "flatten of images in (C, H, W) order into a linear layer, one sample",
     seq(plain("flatten"), linear(6)), [3, 4, 5], 1, 6, "train"),
    ("mlp_short_form", "model.type mlp (hidden, activation) as the sequential of linear and tanh layers",
     {"type": "mlp", "hidden": [16, 8], "activation": "tanh"}, [20], 5, 7, "train"),
    ("eval_batch_norm_dropout", "evaluation mode: batch norm 2d and 1d by their running statistics, dropout "
     "p 0.5 and 0.3 as the identity",
     seq(conv(4, 3, padding=1), plain("batch_norm2d"), plain("relu"), pool("max_pool2d", 2), plain("flatten"),
         plain("dropout", p=0.5), linear(16), plain("batch_norm1d"), plain("gelu"), plain("dropout", p=0.3),
         linear(10)), [2, 6, 6], 3, 10, "eval"),
    ("eval_batch1", "evaluation mode on one sample, batch norm 2d",
     seq(conv(3, 3, padding=1), plain("batch_norm2d", eps=1e-3), plain("relu"), pool("avg_pool2d", 2),
         plain("flatten"), linear(4)), [1, 4, 6], 1, 4, "eval"),
]


def seed(name, purpose):
    """A case's seed for one purpose, from its name (adding or reordering cases leaves the others' data alone)."""
    return zlib.crc32(f"{name}/{purpose}".encode())


def seeded_model(name, model_cfg, shape, classes):
    """The case's model with seeded float32 parameters and non-trivial batch-norm parameters and statistics."""
    torch.manual_seed(seed(name, "init"))
    model = build_model(model_cfg, shape, classes)
    gen = torch.Generator().manual_seed(seed(name, "batch_norm"))
    with torch.no_grad():
        for m in model:
            if isinstance(m, nn.Conv2d) and name in QUANTIZED:
                for p in m.parameters():
                    p.copy_(torch.round(p * 4 / p.abs().max()) / 4)
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                c = m.num_features
                m.weight.copy_(torch.rand(c, generator=gen) + 0.5)
                m.bias.copy_(torch.randn(c, generator=gen) * 0.2)
                m.running_mean.copy_(torch.randn(c, generator=gen) * 0.5)
                m.running_var.copy_(torch.rand(c, generator=gen) * 1.5 + 0.5)
    return model


def float_tensors(model):
    """state_dict entries that are float tensors (parameters and running statistics), in state_dict order."""
    return [(k, v) for k, v in model.state_dict().items() if v.is_floating_point()]


def tracked(model):
    return {k: int(v) for k, v in model.state_dict().items() if k.endswith("num_batches_tracked")}


def margins(model, x):
    """The smallest |z| over the non-zero inputs of every relu and the smallest gap between a max-pool window's
    maximum and a smaller value in that window, in float64: a decision float32 rounding could flip is closer
    than its margin, and the generator refuses cases with a margin under 1e-5."""
    found = {"relu": float("inf"), "max_pool2d": float("inf")}

    def hook(m, inp, _):
        z = inp[0].detach()
        if isinstance(m, nn.ReLU):
            nz = z[z != 0].abs()
            found["relu"] = min(found["relu"], nz.min().item() if nz.numel() else float("inf"))
            return
        k, s, p = (v if isinstance(v, tuple) else (v, v) for v in (m.kernel_size, m.stride, m.padding))
        padded = nn.functional.pad(z, (p[1], p[1], p[0], p[0]), value=float("-inf"))
        win = padded.unfold(2, k[0], s[0]).unfold(3, k[1], s[1]).reshape(*z.shape[:2], -1, k[0] * k[1])
        top = win.max(dim=-1, keepdim=True).values
        below = torch.where(win < top, top - win, torch.full_like(win, float("inf")))
        found["max_pool2d"] = min(found["max_pool2d"], below.min().item())

    m = copy.deepcopy(model).double()
    handles = [c.register_forward_hook(hook) for c in m if isinstance(c, (nn.ReLU, nn.MaxPool2d))]
    with torch.no_grad():
        m(x.double())
    for h in handles:
        h.remove()
    return found


def run(model, x, labels, mode, dtype):
    """Forward (and backward and both steps in training mode) of a copy of model in dtype; returns a dict of
    float32 results by tensor name and the loss as a Python float (of the float32-rounded loss)."""
    m = copy.deepcopy(model).to(dtype)
    m.train(mode == "train")
    xs = x.to(dtype).requires_grad_(mode == "train")
    out = {}
    if mode == "eval":
        with torch.no_grad():
            logits = m(xs)
            loss = nn.CrossEntropyLoss()(logits, labels)
        out["logits"] = logits.float()
        return out, float(loss.float()), {}
    logits = m(xs)
    loss = nn.CrossEntropyLoss()(logits, labels)
    loss.backward()
    out["logits"] = logits.detach().float()
    out["grad/input"] = xs.grad.float()
    params = dict(m.named_parameters())
    for k, p in params.items():
        out["grad/" + k] = p.grad.float()
    for k, v in float_tensors(m):
        if k not in params:
            out["forward/" + k] = v.float()
    after = tracked(m)
    for name, spec in (("adamw", ADAMW), ("sgd", SGD)):
        s = copy.deepcopy(m)
        for k, p in s.named_parameters():
            p.grad = params[k].grad.clone()
        hp = {k: v for k, v in spec.items() if k != "type"}
        cls = torch.optim.AdamW if spec["type"] == "adamw" else torch.optim.SGD
        cls(s.parameters(), foreach=False, **hp).step()
        for k, p in s.named_parameters():
            out[name + "/" + k] = p.detach().float()
    return out, float(loss.float()), after


def case(name, covers, model_cfg, shape, batch, classes, mode):
    model = seeded_model(name, model_cfg, shape, classes)
    gen = torch.Generator().manual_seed(seed(name, "data"))
    x = torch.randn([batch] + shape, generator=gen)
    if name in QUANTIZED:
        x = torch.round(x * 2) / 2
    labels = torch.randint(0, classes, (batch,), generator=gen)
    before = tracked(model)
    margin = margins(model.train(mode == "train"), x)
    if min(margin.values()) < 1e-5:
        sys.exit(f"layer_goldens.py: case {name}: a relu or max-pool decision within {margin} of a tie")
    ref, loss, after = run(model, x, labels, mode, torch.float64)
    for k, g in ref.items():
        if k.startswith("grad/") and k != "grad/input" and ((g != 0) & (g.abs() < 1e-9)).any():
            # a zero of the exact math (a bias before batch norm) left as rounding noise: one optimizer step
            # would turn its sign into +-lr, which no tolerance can compare
            sys.exit(f"layer_goldens.py: case {name}: {k} has a gradient of {g[g != 0].abs().min():.1e}")
    f32, loss32, _ = run(model, x, labels, mode, torch.float32)
    tensors = [("input", x)] + [("param/" + k, v) for k, v in float_tensors(model)] + list(ref.items())
    layout, blobs, offset = [], [], 0
    for k, v in tensors:
        layout.append({"name": k, "shape": list(v.shape), "offset": offset})
        blobs.append(v.detach().reshape(-1).numpy().astype("<f4"))
        offset += v.numel()
    np.concatenate(blobs).tofile(os.path.join(OUT, name + ".bin"))
    worst = max(((k, (ref[k] - f32[k]).abs().max().item(), ref[k].abs().max().item()) for k in ref),
                key=lambda t: t[1] / (t[2] + 1e-30))
    print(f"  {name}: {offset} floats; torch float32 vs reference: loss {abs(loss32 - loss):.1e}, largest "
          f"relative {worst[0]} {worst[1]:.1e} of {worst[2]:.1e}; margins relu {margin['relu']:.1e}, max pool "
          f"{margin['max_pool2d']:.1e}")
    return {
        "name": name, "covers": covers, "model": model_cfg, "input": shape, "batch": batch, "classes": classes,
        "mode": mode, "labels": labels.tolist(), "loss": loss, "num_batches_tracked": before,
        "num_batches_tracked_after": after, "file": name + ".bin", "tensors": layout,
    }


def reread(entry):
    """Rebuilds a case from its files alone (config, input, parameters) and checks its float32 logits against the
    stored ones: the layout a reader sees is the one written."""
    blob = np.fromfile(os.path.join(OUT, entry["file"]), "<f4")
    t = {e["name"]: torch.from_numpy(blob[e["offset"]:e["offset"] + int(np.prod(e["shape"]))].copy()).reshape(
        e["shape"]) for e in entry["tensors"]}
    model = build_model(entry["model"], entry["input"], entry["classes"])
    state = {k[len("param/"):]: v for k, v in t.items() if k.startswith("param/")}
    state.update({k: torch.tensor(v) for k, v in entry["num_batches_tracked"].items()})
    model.load_state_dict(state, strict=True)
    model.train(entry["mode"] == "train")
    with torch.no_grad():
        logits = model(t["input"])
    assert blob.size == sum(int(np.prod(e["shape"])) for e in entry["tensors"]), entry["name"]
    assert torch.allclose(logits, t["logits"], rtol=1e-5, atol=1e-6), entry["name"]


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    for old in glob.glob(os.path.join(OUT, "*.bin")):
        os.remove(old)
    print("writing", OUT, flush=True)
    cases = [case(*c) for c in CASES]
    header = {"generator": "scripts/layer_goldens.py", "torch": torch.__version__, "adamw": ADAMW, "sgd": SGD,
              "cases": cases}
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(header, f, indent=1)
        f.write("\n")
    for entry in json.load(open(os.path.join(OUT, "cases.json")))["cases"]:
        reread(entry)
    total = sum(os.path.getsize(p) for p in glob.glob(os.path.join(OUT, "*")))
    print(f"wrote cases.json and {len(cases)} .bin files, {total} bytes in all; each case read back from them "
          f"gives its logits again")


if __name__ == "__main__":
    main()
