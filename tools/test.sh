#!/usr/bin/env bash
# The whole test suite, from a fresh clone: install, check the library matches the notebooks, lint (pyflakes rules),
# run the notebook tests and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/setup.sh
start=$(date +%s)
.venv/bin/nbdev-export
if [ -n "$(git status --porcelain -- shortrun_nb)" ]; then
  git status --short -- shortrun_nb; git diff --stat -- shortrun_nb
  echo "The library differs from the notebooks: run nbdev-export and commit shortrun_nb/." >&2; exit 1
fi
.venv/bin/ruff check --select F,E9 shortrun_nb tests tools
# one thread per notebook worker: two workers on two cores, not four threads fighting for them
OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" .venv/bin/nbdev-test --n-workers "${NB_WORKERS:-2}" --timing
.venv/bin/python -m pytest -q "$@"
echo "test suite wall time: $(( $(date +%s) - start ))s"
