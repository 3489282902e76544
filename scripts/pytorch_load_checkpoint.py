#!/usr/bin/python3
"""Loads an Anneal checkpoint into PyTorch and evaluates it, to show the checkpoint format is usable there.

Reads RUN/checkpoints/<newest>/model.safetensors with plain json + numpy (the safetensors layout: 8-byte
little-endian header length, JSON header, raw little-endian data), builds the nn.Sequential the run's
config.yaml describes (build_model below: `model.type: mlp` or `model.type: sequential`), calls load_state_dict
(strict: every tensor name and shape must match, batch-norm running statistics and num_batches_tracked
included), and prints the test accuracy and mean test loss of the model in evaluation mode, which equal the
run's own last test_accuracy and test_loss up to float rounding.

The test set is the IDX data of the config's data.path (fashion-mnist or mnist), mapped as the run mapped its
training data: by the transform saved in RUN/data.json (affine: x = (v * scale - mean) / std; per_channel: the
same with channel c = j / channel_size of feature j), computed in float64 and rounded once to float32 as Anneal
does. A run without data.json (an earlier anneal) gets the global mean and standard deviation of the training
pixels, as Anneal computed them then. A model with conv2d, pooling or batch_norm2d layers takes the images as
NCHW [N, 1, rows, cols]; the others take the flat rows [N, rows * cols], which are the same bytes.

Usage: pytorch_load_checkpoint.py RUN_DIR        (needs Debian's python3-torch, python3-yaml)"""
import gzip
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import yaml

ACTIVATIONS = {"relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh}
SPATIAL = ("conv2d", "max_pool2d", "avg_pool2d", "batch_norm2d")
DTYPES = {"F32": ("<f4", torch.float32), "F64": ("<f8", torch.float64), "I64": ("<i8", torch.int64),
          "I32": ("<i4", torch.int32)}


def fail(message):
    sys.exit("pytorch_load_checkpoint.py: " + message)


def pair(layer, key, default, where):
    """An int or [h, w] config value as a (h, w) tuple; a missing key without a default is refused."""
    v = layer.get(key)
    v = default if v is None else v
    if v is None:
        fail(f"{where} needs {key}")
    return (int(v[0]), int(v[1])) if isinstance(v, (list, tuple)) else (int(v), int(v))


def out_size(shape, k, s, p):
    """(outH, outW) of a convolution or pooling window k, stride s, padding p over a (C, H, W) input (floor)."""
    return (shape[1] + 2 * p[0] - k[0]) // s[0] + 1, (shape[2] + 2 * p[1] - k[1]) // s[1] + 1


def build_model(model, input_shape, classes=10):
    """The nn.Sequential of an Anneal config's `model` section, for samples of input_shape ((C, H, W) images or
    (D,) vectors); its state_dict names (0.weight, 0.bias, 1.running_mean, 1.running_var, 1.num_batches_tracked,
    ...) are those of Anneal's checkpoints.

    mlp: Linear(D, hidden[0]), act, Linear(hidden[0], hidden[1]), act, ..., Linear(hidden[-1], classes).
    sequential: one module per entry of model.layers, in order, with PyTorch's defaults where a key is absent
    (dev.anneal.model.LayerSpec: conv2d needs out_channels and kernel_size, stride 1, padding 0, bias true; pools
    need kernel_size, stride = kernel_size, padding 0; linear bias true; batch norm momentum 0.1, eps 1e-5;
    dropout p 0.5; sizes a whole number or [h, w]); in_channels / in_features come from the shape flowing
    through, and a last linear without out_features gets `classes`."""
    kind = model.get("type", "mlp")
    if kind == "mlp":
        widths = [int(np.prod(input_shape))] + [int(w) for w in model.get("hidden", [512, 256])] + [classes]
        act = ACTIVATIONS[model.get("activation", "relu")]
        layers = []
        for i in range(len(widths) - 1):
            layers.append(nn.Linear(widths[i], widths[i + 1]))
            if i < len(widths) - 2:
                layers.append(act())
        return nn.Sequential(*layers)
    if kind != "sequential":
        fail(f"model.type {kind} is not one this script builds (mlp, sequential)")
    shape = tuple(int(s) for s in input_shape)
    specs = model.get("layers") or []
    layers = []
    for i, layer in enumerate(specs):
        t = layer.get("type")
        where = f"model.layers[{i}] ({t})"
        if t in SPATIAL and len(shape) != 3:
            fail(f"{where} needs images [C, H, W], got {list(shape)}")
        if t == "conv2d":
            k, s, p = (pair(layer, key, d, where) for key, d in (("kernel_size", None), ("stride", 1), ("padding", 0)))
            m = nn.Conv2d(shape[0], int(layer["out_channels"]), k, s, p, bias=bool(layer.get("bias", True)))
            shape = (m.out_channels,) + out_size(shape, k, s, p)
        elif t in ("max_pool2d", "avg_pool2d"):
            k = pair(layer, "kernel_size", None, where)
            s, p = pair(layer, "stride", k, where), pair(layer, "padding", 0, where)
            m = nn.MaxPool2d(k, s, p) if t == "max_pool2d" else nn.AvgPool2d(k, s, p)
            shape = (shape[0],) + out_size(shape, k, s, p)
        elif t in ("batch_norm2d", "batch_norm1d"):
            if t == "batch_norm1d" and len(shape) != 1:
                fail(f"{where} needs vectors [D], got {list(shape)}: add a flatten before it")
            cls = nn.BatchNorm2d if t == "batch_norm2d" else nn.BatchNorm1d
            m = cls(shape[0], eps=float(layer.get("eps", 1e-5)), momentum=float(layer.get("momentum", 0.1)))
        elif t == "dropout":
            m = nn.Dropout(float(layer.get("p", 0.5)))
        elif t == "flatten":
            m = nn.Flatten()
            shape = (int(np.prod(shape)),)
        elif t == "linear":
            if len(shape) != 1:
                fail(f"{where} needs vectors [D], got {list(shape)}: add a flatten before it")
            out = layer.get("out_features")
            if out is None and i != len(specs) - 1:
                fail(f"{where} needs out_features")
            m = nn.Linear(shape[0], classes if out is None else int(out), bias=bool(layer.get("bias", True)))
            shape = (m.out_features,)
        elif t in ACTIVATIONS:
            m = ACTIVATIONS[t]()
        else:
            fail(f"{where}: unknown layer type {t}")
        layers.append(m)
    return nn.Sequential(*layers)


def takes_images(model):
    """Whether the model's input is NCHW images rather than flat rows."""
    return model.get("type", "mlp") == "sequential" and any(
        layer.get("type") in SPATIAL for layer in model.get("layers") or [])


def load_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        if t["dtype"] not in DTYPES:
            fail(f"{path}: tensor {name} has dtype {t['dtype']}, not one of {sorted(DTYPES)}")
        np_type, torch_type = DTYPES[t["dtype"]]
        begin, end = t["data_offsets"]
        arr = np.frombuffer(data, dtype=np_type, count=(end - begin) // np.dtype(np_type).itemsize,
                            offset=8 + n + begin)
        out[name] = torch.from_numpy(arr.copy()).to(torch_type).reshape(t["shape"])
    return out


def read_idx(path):
    """An IDX file (gzipped or not) as a numpy array of its own shape ([n, rows, cols] images, [n] labels)."""
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        path += ".gz"
    if not os.path.exists(path):
        fail(f"data file {path} not found (check data.path)")
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        data = f.read()
    magic, n = struct.unpack(">II", data[:8])
    if magic == 2051:
        r, c = struct.unpack(">II", data[8:16])
        return np.frombuffer(data, np.uint8, offset=16).reshape(n, r, c)
    return np.frombuffer(data, np.uint8, offset=8)


def normalize(run, cfg, raw, p):
    """The test images mapped as the run mapped its training data, float32 [N, rows * cols], and a note on how."""
    v = torch.from_numpy(raw.reshape(raw.shape[0], -1).astype(np.float64))
    path = os.path.join(run, "data.json")
    if os.path.exists(path):
        t = json.load(open(path))["transform"]
        if t["type"] == "affine":
            x = (v * t["scale"] - t["mean"]) / t["std"]
        elif t["type"] == "per_channel":
            c = torch.arange(v.shape[1]) // t["channel_size"]
            x = (v * t["scale"] - torch.tensor(t["mean"], dtype=torch.float64)[c]) / torch.tensor(
                t["std"], dtype=torch.float64)[c]
        else:
            fail(f"{path}: transform {t['type']} is not one of an image run (affine, per_channel)")
        return x.float(), f"data.json {t['type']} transform"
    if not cfg["data"].get("normalize", True):
        return (v / 255.0).float(), "pixels / 255 (normalize off, no data.json)"
    xtr = torch.tensor(read_idx(p + "train-images-idx3-ubyte"), dtype=torch.float64) / 255.0
    mean, std = xtr.mean().item(), xtr.std().item()
    return ((v / 255.0 - mean) / std).float(), "training-set mean and std (no data.json)"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[-1])
    run = sys.argv[1]
    cfg = yaml.safe_load(open(os.path.join(run, "config.yaml")))
    if cfg["data"].get("dataset") not in ("fashion-mnist", "mnist"):
        fail(f"data.dataset {cfg['data'].get('dataset')}: this script reads the IDX sets (fashion-mnist, mnist)")
    ckpts = sorted(d for d in os.listdir(os.path.join(run, "checkpoints")) if d.startswith("step-"))
    if not ckpts:
        fail(f"no checkpoints/step-* in {run}")
    state = load_safetensors(os.path.join(run, "checkpoints", ckpts[-1], "model.safetensors"))
    p = cfg["data"]["path"] + "/"
    raw = read_idx(p + "t10k-images-idx3-ubyte")
    yte = torch.tensor(read_idx(p + "t10k-labels-idx1-ubyte"), dtype=torch.int64)
    xte, how = normalize(run, cfg, raw, p)
    classes = 10
    if os.path.exists(os.path.join(run, "data.json")):
        classes = len(json.load(open(os.path.join(run, "data.json")))["class_names"])
    images = takes_images(cfg["model"])
    shape = (1,) + raw.shape[1:] if images else (xte.shape[1],)
    model = build_model(cfg["model"], shape, classes)
    model.load_state_dict(state, strict=True)
    model.eval()
    correct, loss = 0, 0.0
    with torch.no_grad():
        for i in range(0, xte.shape[0], 1000):
            out = model(xte[i:i + 1000].view(-1, *shape))
            correct += (out.argmax(1) == yte[i:i + 1000]).sum().item()
            loss += nn.functional.cross_entropy(out.double(), yte[i:i + 1000], reduction="sum").item()
    acc, loss = correct / xte.shape[0], loss / xte.shape[0]
    last = [json.loads(line) for line in open(os.path.join(run, "metrics.jsonl"))][-1]
    print(f"checkpoint {ckpts[-1]} ({len(state)} tensors) loaded strictly into {model}")
    print(f"test set {p} ({xte.shape[0]} samples as {'NCHW ' + str(list(shape)) if images else 'rows'}, {how})")
    print(f"pytorch test accuracy {acc * 100:.2f}%, anneal's own {last['test_accuracy'] * 100:.2f}%; "
          f"test loss {loss:.5f}, anneal's own {last['test_loss']:.5f}")


if __name__ == "__main__":
    main()
