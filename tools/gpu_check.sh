#!/usr/bin/env bash
# The GPU check, one prepared script, ≤ 8 minutes on one H100/H200 with only PyTorch, torchvision and the
# runtime dependencies (no nbdev/fastcore, no internet):
#   tools/gpu_check.sh DATA_DIR OUT_DIR
# DATA_DIR: the shared data layout with MNIST, PTB and the CIFAR-10 training subset (tools/gpu_data.sh makes it).
# It runs shortrun-bench on every GPU configuration first, alone (clean timings); then together on the one GPU:
# pytest -m cuda, a 4-minute srmc_cifar10 run (paper settings, fast path) that saves 10,000 samples as uint8 .npz
# shards, the five-digit MNIST anomaly runs with their AUPRCs, and a 2.5-minute lebm_ptb run with its
# posterior-collapse symptoms (their own timings are contended: use the bench's for speed). Time budgets can be set
# with CIFAR_SECONDS, PTB_SECONDS, PYTEST_SECONDS and DEADLINE (seconds from the start to stop everything). OUT_DIR gets at most 8 files, each under 16 MiB: results.json,
# cifar10_samples.png, cifar10_samples_00..03.npz, ptb_samples.txt. On the CPU afterwards:
#   python tools/fid_of_samples.py OUT_DIR/cifar10_samples_*.npz --data ../shared/data
# A dry run of the plumbing on a CPU (minutes, meaningless numbers):
#   GPU_CHECK_DEVICE=cpu CIFAR_SECONDS=5 PTB_SECONDS=5 ANOMALY_ITERS=10 N_SAMPLES=100 BENCH="cpu_srmc_digits" tools/gpu_check.sh DATA OUT
set -uo pipefail
cd "$(dirname "$0")/.."
DATA=$(realpath "$1"); OUT=$(realpath -m "$2"); W=$(mktemp -d)
mkdir -p "$OUT"
PY=${PYTHON:-python3}
export PYTHONPATH=$PWD${PYTHONPATH:+:$PYTHONPATH} SHORTRUN_DATA_ROOT=$DATA SHORTRUN_DEVICE=${GPU_CHECK_DEVICE:-cuda} SHORTRUN_OUT_DIR=$W/runs
CIFAR_SECONDS=${CIFAR_SECONDS:-240} PTB_SECONDS=${PTB_SECONDS:-150} N_SAMPLES=${N_SAMPLES:-10000} BENCH=${BENCH:-}
ANOMALY=${ANOMALY_ITERS:+--n_iters $ANOMALY_ITERS}
T0=$(date +%s)
cli() { "$PY" -c "import sys; from shortrun_nb.cli import ${1}_main as m; sys.exit(m(sys.argv[1:]))" "${@:2}"; }
stamp() { echo "[$(( $(date +%s) - T0 ))s] $*"; }

stamp "device: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null)"
stamp "bench (alone)"
cli bench $BENCH --n 10 --warmup 3 --out "$W/bench.json" > "$W/bench.txt" 2>&1; echo "bench rc=$?" >> "$W/bench.txt"
cat "$W/bench.txt"

stamp "pytest -m cuda, srmc_cifar10, the anomaly runs and lebm_ptb, together on the one GPU (their timings are contended)"
( SHORTRUN_TEST_DATA=$DATA timeout ${PYTEST_SECONDS:-300} "$PY" -m pytest -m cuda -q -p no:cacheprovider tests/test_accel.py \
    tests/test_latent.py > "$W/pytest.txt" 2>&1; echo "pytest rc=$? (124: stopped by its time budget)" >> "$W/pytest.txt" ) &
( cli train srmc_cifar10 --profile full --out "$W/cifar" --max_seconds $CIFAR_SECONDS --log_every 200 --sample_every 0 --ckpt_every 0 \
      --no-report --no-progress > "$W/cifar.log" 2>&1 \
  && cli sample "$W/cifar/checkpoint.pt" --n 64 --out "$OUT/cifar10_samples.png" >> "$W/cifar.log" 2>&1 \
  && cli sample "$W/cifar/checkpoint.pt" --n $N_SAMPLES --shards 2500 --batch-size 500 --out "$OUT/cifar10_samples" >> "$W/cifar.log" 2>&1
  echo "rc=$?" >> "$W/cifar.log" ) &
for d in 1 4 5 7 9; do
  ( cli train lebm_mnist_anomaly --held_out $d --out "$W/anomaly_$d" $ANOMALY --no-report --no-progress > "$W/anomaly_$d.log" 2>&1 \
    && cli eval "$W/anomaly_$d/checkpoint.pt" --anomaly >> "$W/anomaly_$d.log" 2>&1; echo "rc=$?" >> "$W/anomaly_$d.log" ) &
done
( cli train lebm_ptb --profile full --out "$W/ptb" --max_seconds $PTB_SECONDS --log_every 100 --sample_every 0 --ckpt_every 0 --no-report \
      --no-progress > "$W/ptb.log" 2>&1 \
  && "$PY" - "$W/ptb/checkpoint.pt" "$W/ptb_symptoms.json" "$OUT/ptb_samples.txt" >> "$W/ptb.log" 2>&1 <<'PY'
import json, sys, torch
from shortrun_nb.core import load, load_settings, make_rng
from shortrun_nb.evaluate import text_collapse_report
dev = load_settings().device
model = load(sys.argv[1], dev)
rep = text_collapse_report(model, model.run_info['config']['data'], root=load_settings().data_root, rng=make_rng(0, dev))
json.dump(rep, open(sys.argv[2], 'w'), indent=1, default=str)
open(sys.argv[3], 'w').write('\n'.join(model.sample(50, rng=make_rng(1, dev))) + '\n')
PY
  echo "rc=$?" >> "$W/ptb.log" ) &
while [ -n "$(jobs -rp)" ] && [ $(( $(date +%s) - T0 )) -lt ${DEADLINE:-465} ]; do sleep 2; done
for j in $(jobs -rp); do pkill -TERM -P "$j" 2>/dev/null; kill -TERM "$j" 2>/dev/null; done   # runs save on SIGTERM
sleep 3
stamp "collecting results"
"$PY" - "$W" "$OUT/results.json" <<'PY'
import json, sys, glob, os, re
from pathlib import Path
W, out = Path(sys.argv[1]), sys.argv[2]
def tail(p, n=40): return Path(p).read_text().splitlines()[-n:] if Path(p).exists() else ['missing']
def summary(d): return json.loads((W/d/'summary.json').read_text()) if (W/d/'summary.json').exists() else None
def metrics(d): return [json.loads(l) for l in open(W/d/'metrics.jsonl')] if (W/d/'metrics.jsonl').exists() else []
res = dict(bench=json.loads((W/'bench.json').read_text()) if (W/'bench.json').exists() else tail(W/'bench.txt'),
           pytest=tail(W/'pytest.txt', 60))
rows = [r for r in metrics('cifar') if 'loss' in r]
res['srmc_cifar10'] = dict(summary=summary('cifar'), last_rows=rows[-3:], log=tail(W/'cifar.log', 15),
                           s_per_iter=(rows[-1]['time'] / rows[-1]['iter']) if rows else None)
res['anomaly'] = {}
for d in (1, 4, 5, 7, 9):
    ev = W/f'anomaly_{d}'/'eval.json'
    res['anomaly'][d] = json.loads(ev.read_text())['anomaly'] if ev.exists() else tail(W/f'anomaly_{d}.log', 15)
    s = summary(f'anomaly_{d}')
    if s and ev.exists(): res['anomaly'][d]['train_seconds'] = s['train_seconds']
prow = [r for r in metrics('ptb') if 'loss' in r]
res['lebm_ptb'] = dict(summary=summary('ptb'), last_rows=prow[-3:], s_per_iter=(prow[-1]['time'] / prow[-1]['iter']) if prow else None,
                       symptoms=json.loads((W/'ptb_symptoms.json').read_text()) if (W/'ptb_symptoms.json').exists() else None,
                       log=tail(W/'ptb.log', 15))
json.dump(res, open(out, 'w'), indent=1, default=str)
print(json.dumps({k: (v if k != 'pytest' else v[-3:]) for k, v in res.items() if k in ('pytest',)}, indent=1))
PY
ls -la "$OUT"
stamp "done"
