#!/usr/bin/env bash
# Rebuild the models shipped in shortrun_nb/assets (and the README figures) from fresh runs of their presets:
#   ./tools/make_pretrained.sh digits toy2d
set -euo pipefail
cd "$(dirname "$0")/.."
presets=("$@"); [ ${#presets[@]} -gt 0 ] || presets=(digits toy2d)
for preset in "${presets[@]}"; do
  out=runs/$preset
  rm -rf "$out"
  SECONDS=0
  .venv/bin/shortrun-train "$preset" --out "$out" --no-progress
  echo "$preset: wall time ${SECONDS}s"
  .venv/bin/python -c "from shortrun_nb.train import export_model, PRETRAINED; export_model('$out/checkpoint.pt', 'shortrun_nb/assets/' + PRETRAINED['$preset'])"
  if [ "$preset" = digits ]; then
    cp "$out/samples/$(ls "$out/samples" | tail -n 1)" nbs/images/digits_samples.png
    cp "$out/interpolation.png" nbs/images/digits_interpolation.png
    cp "$out/reconstruction.png" nbs/images/digits_reconstruction.png
    cp "$out/summary.json" nbs/images/digits_summary.json
  fi
done
