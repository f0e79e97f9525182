#!/usr/bin/env bash
# The LEBM paper's MNIST anomaly experiment, one run per held-out digit; needs MNIST under data_root
# (e.g. SHORTRUN_DATA_ROOT=../shared/data). Extra arguments are passed to shortrun-train (e.g. --n_iters 3000).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(.venv/bin/python -c "from shortrun_nb.core import load_settings; print(load_settings().out_dir)")/lebm_mnist_anomaly
for d in ${DIGITS:-1 4 5 7 9}; do
  SECONDS=0
  .venv/bin/shortrun-train lebm_mnist_anomaly --held_out "$d" --out "$out/held_out_$d" --overwrite --no-progress "$@" > "$out.held_out_$d.log" 2>&1 \
    || { echo "training for digit $d failed; see $out.held_out_$d.log"; exit 1; }
  train_s=$SECONDS
  .venv/bin/shortrun-eval "$out/held_out_$d/checkpoint.pt" --anomaly > /dev/null
  echo "digit $d: train ${train_s}s, total ${SECONDS}s, $(.venv/bin/python -c "import json; a=json.load(open('$out/held_out_$d/eval.json'))['anomaly']; print(f\"AUPRC {a['auprc']:.3f} AUROC {a['auroc']:.3f} chance {a['anomaly_fraction']:.3f}\")")"
done
