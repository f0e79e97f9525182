#!/usr/bin/env bash
# Rebuild the models shipped in shortrun_nb/assets (and the README figures) from fresh runs of their presets:
#   ./tools/make_pretrained.sh                 # all of them
#   ./tools/make_pretrained.sh digits toy2d    # some of them
# Each line of MODELS: <shipped model name (shortrun_nb/assets/models/NAME.pt)> <preset> [overrides...]
set -euo pipefail
cd "$(dirname "$0")/.."
MODELS="digits digits
toy2d toy2d
lebm_digits lebm_digits
lebm_digits_gaussian lebm_digits --use_prior False
text_toy text_toy
text_toy_gaussian text_toy --use_prior False"
wanted=" $* "
while read -r name preset overrides; do
  [ "$wanted" = "  " ] || [[ "$wanted" == *" $name "* ]] || continue
  out=runs/pretrained_$name
  rm -rf "$out"
  SECONDS=0
  # shellcheck disable=SC2086
  OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} .venv/bin/shortrun-train "$preset" --out "$out" --overwrite --no-progress $overrides
  echo "$name: wall time ${SECONDS}s"
  .venv/bin/python -c "from shortrun_nb.core import load; load('$out').save_pretrained('shortrun_nb/assets/models/$name.pt')"
  if [ "$name" = digits ]; then
    cp "$out/samples/$(ls "$out/samples" | tail -n 1)" nbs/images/digits_samples.png
    cp "$out/interpolation.png" nbs/images/digits_interpolation.png
    cp "$out/reconstruction.png" nbs/images/digits_reconstruction.png
    cp "$out/summary.json" nbs/images/digits_summary.json
  fi
done <<< "$MODELS"
