#!/usr/bin/env bash
# Build the course site into OUT_DIR from the committed, executed notebooks (nothing is executed):
# docs/stage.py checks docs/course.yml and the notebooks' links and stages the pages, Sphinx (MyST-NB) renders them.
# NBS_DIR=dir builds from another notebooks folder (the tests use a broken copy).
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: tools/docs.sh OUT_DIR   (e.g. _site, then open _site/index.html)" >&2; exit 2; }
out=$(realpath -m "$1")
nbs=$(realpath -m "${NBS_DIR:-$(dirname "$0")/../nbs}")
cd "$(dirname "$0")/.."
.venv/bin/python -c "import sphinx, myst_nb, furo, latex2mathml, ziamath" 2>/dev/null ||
  .venv/bin/pip install -q -e ".[docs]"
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
.venv/bin/python docs/stage.py --nbs "$nbs" "$src/pages"
.venv/bin/sphinx-build -q -W --keep-going -j 2 -c docs -d "$src/doctrees" "$src/pages" "$out"
echo "site built: $out/index.html"
