#!/usr/bin/env bash
# Trains one config with Anneal and with PyTorch in one go, on the same machine and thread count, and prints both
# throughputs, both accuracies and the ratio.
#   scripts/compare-pytorch.sh [CONFIG] [THREADS]      default: configs/fashion-mnist-mlp.yaml, 2
# An mlp config is trained in PyTorch by scripts/torch_reference.py: the same model, optimizer, data and the
# identical per-update learning rates from `anneal schedule`. A sequential config (configs/fashion-mnist-cnn.yaml,
# configs/fashion-mnist-cnn-bn.yaml) is trained by the peer script torch_cnn_fashion.py, taken from $ANNEAL_PEERS
# (default: ../shared/peers beside the repository), variant lenet, or bn when the config has batch_norm2d layers.
# The peer runs its own fixed recipe (Fashion-MNIST, batch 128, AdamW lr 1e-3 weight_decay 1e-4, a linear warmup
# from 1/234 of the rate over the first 234 updates, then cosine to 0), so the config must be that recipe on the
# variant's network (as configs/fashion-mnist-cnn*.yaml are): checked before anything trains.
# Needs Debian's python3-torch and python3-yaml (installed here when missing); numbers are per epoch, the best
# epoch of each side (the first pays for JIT warm-up and page faults).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
config=${1:-configs/fashion-mnist-mlp.yaml}
threads=${2:-2}
peers=$(realpath -m "${ANNEAL_PEERS:-$root/../shared/peers}")
"$root/scripts/install-deps.sh" python3-torch python3-yaml dataset-fashion-mnist libopenblas0-pthread
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# "mlp", or the peer variant a sequential config is (refused in one line when it is not the peer's recipe).
kind=$(/usr/bin/python3 - "$config" <<'PY'
import math, sys, yaml
sys.path.insert(0, "scripts")
from pytorch_load_checkpoint import build_model
import torch.nn as nn
cfg = yaml.safe_load(open(sys.argv[1]))
model = cfg.get("model") or {}
if model.get("type", "mlp") == "mlp":
    print("mlp")
    sys.exit()
bn = any(l.get("type") == "batch_norm2d" for l in model.get("layers") or [])
def block(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1)] + ([nn.BatchNorm2d(cout)] if bn else []) + [nn.ReLU(), nn.MaxPool2d(2)]
peer = nn.Sequential(*block(1, 32), *block(32, 64), nn.Flatten(), *([nn.Dropout(0.25)] if bn else []),
                     nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
def describe(net):
    """Each module as (class, its shape-defining attributes), sizes as (h, w) pairs."""
    two = lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    out = []
    for m in net:
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            attrs = (m.weight.shape, m.bias is not None) + ((m.stride, m.padding) if isinstance(m, nn.Conv2d) else ())
        elif isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
            attrs = (two(m.kernel_size), two(m.stride), two(m.padding))
        elif isinstance(m, nn.modules.batchnorm._BatchNorm):
            attrs = (m.num_features, m.eps, m.momentum)
        else:
            attrs = (getattr(m, "p", None),)
        out.append(f"{type(m).__name__}{attrs}")
    return out
mine, theirs = describe(build_model(model, (1, 28, 28), 10)), describe(peer)
first = next((i for i in range(max(len(mine), len(theirs))) if mine[i:i + 1] != theirs[i:i + 1]), None)
o, d, t = cfg.get("optimizer") or {}, cfg.get("data") or {}, cfg.get("train") or {}
steps = math.ceil(60000 / d.get("batch_size", 128)) * t.get("epochs", 3)
s = cfg.get("schedule") or {}
recipe = {"data.dataset": (d.get("dataset"), "fashion-mnist"), "data.batch_size": (d.get("batch_size"), 128),
          "optimizer.type": (o.get("type"), "adamw"), "optimizer.lr": (o.get("lr"), 0.001),
          "optimizer.weight_decay": (o.get("weight_decay"), 0.0001), "schedule.type": (s.get("type"), "cosine"),
          # the peer's LambdaLR: (s+1)/234 for s < 234, i.e. a linear warmup from 1/234 over updates 0..233
          "schedule.warmup (updates)": ((s.get("warmup") or {}).get("steps", 0)
                                        + (1 if (s.get("warmup") or {}).get("inclusive") else 0), 234),
          "schedule.warmup.start_factor": (round((s.get("warmup") or {}).get("start_factor", 0) * 234, 9), 1.0),
          "schedule.t_max": (s.get("t_max"), steps - 234),
          "train.accumulation_steps": (t.get("accumulation_steps", 1), 1),
          f"model.layers[{first}]": (mine[first:first + 1], theirs[first:first + 1]) if first is not None else (0, 0)}
for key, (got, want) in recipe.items():
    if got != want:
        sys.exit(f"compare-pytorch.sh: {sys.argv[1]}: {key} must be as in the peer's {'bn' if bn else 'lenet'} "
                 f"recipe, {want}, got {got}")
print("bn" if bn else "lenet")
PY
)
if [[ $kind != mlp && ! -f $peers/torch_cnn_fashion.py ]]; then
  echo "compare-pytorch.sh: no peer script $peers/torch_cnn_fashion.py; set ANNEAL_PEERS to its folder" >&2
  exit 1
fi

ANNEAL_CPU_THREADS=$threads OPENBLAS_NUM_THREADS=$threads bin/anneal train --config "$config" --run-dir "$work/run" \
  | tee "$work/anneal.log" | grep -E "^epoch|^anneal: done"
if [[ $kind == mlp ]]; then
  steps=$(grep -o '[0-9]* in all' "$work/anneal.log" | head -1 | cut -d' ' -f1)
  bin/anneal schedule --config "$work/run/config.yaml" --steps "$steps" > "$work/lr.csv"
  OMP_NUM_THREADS=$threads /usr/bin/python3 scripts/torch_reference.py "$work/run/config.yaml" "$work/lr.csv" \
    "$threads" | tee "$work/torch.log"
  torch_sps=$(grep -o 'samples_per_second=[0-9.]*' "$work/torch.log" | cut -d= -f2)
  torch_acc=$(grep -o 'test_accuracy=[0-9.]*' "$work/torch.log" | cut -d= -f2)
  peer="scripts/torch_reference.py"
else
  epochs=$(/usr/bin/python3 -c "import yaml; print(yaml.safe_load(open('$work/run/config.yaml'))['train']['epochs'])")
  OMP_NUM_THREADS=$threads /usr/bin/python3 "$peers/torch_cnn_fashion.py" "$epochs" "$threads" "$kind" \
    | tee "$work/torch.log"
  # epoch N: S samples/s train, train loss L, test loss T, test acc A%: the best S, the last A (as a fraction)
  torch_sps=$(grep -o '[0-9.]* samples/s train' "$work/torch.log" | cut -d' ' -f1 | sort -g | tail -1)
  torch_acc=$(grep -o 'test acc [0-9.]*' "$work/torch.log" | tail -1 | awk '{print $3 / 100}')
  peer="$peers/torch_cnn_fashion.py $kind"
fi

anneal_sps=$(/usr/bin/python3 -c "import json
print(max(json.loads(l)['samples_per_second'] for l in open('$work/run/metrics.jsonl')))")
anneal_acc=$(tail -1 "$work/run/metrics.jsonl" \
  | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['test_accuracy'])")
/usr/bin/python3 - "$anneal_sps" "$torch_sps" "$anneal_acc" "$torch_acc" "$threads" "$config" "$peer" <<'PY'
import sys
a, t, aa, ta, th = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
print(f"anneal {a:,.0f} samples/s, test accuracy {aa*100:.2f}%  ({sys.argv[6]})")
print(f"torch  {t:,.0f} samples/s, test accuracy {ta*100:.2f}%  ({sys.argv[7]})")
print(f"ratio anneal/torch: {a/t:.2f}x training throughput ({th} threads)")
PY
