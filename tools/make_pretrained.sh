#!/usr/bin/env bash
# Rebuild the shipped digits model and the README figures from a fresh `shortrun-train digits` run.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/digits}
rm -rf "$out"
SECONDS=0
.venv/bin/shortrun-train digits --out "$out" --no-progress
echo "main job wall time: ${SECONDS}s"
.venv/bin/python -c "from shortrun_nb.train import export_model; export_model('$out/checkpoint.pt', 'shortrun_nb/assets/digits_srmc.pt')"
cp "$out/samples/$(ls "$out/samples" | tail -n 1)" nbs/images/digits_samples.png
cp "$out/interpolation.png" nbs/images/digits_interpolation.png
cp "$out/reconstruction.png" nbs/images/digits_reconstruction.png
cp "$out/summary.json" nbs/images/digits_summary.json
