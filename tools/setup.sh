#!/usr/bin/env bash
# Create .venv and install shortrun_nb with its development tools, from scratch.
# TORCH_SPEC picks the PyTorch build; the default is the pinned pair this project is tested with.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
TORCH_SPEC=${TORCH_SPEC:-"torch==2.14.1 torchvision==0.29.1"}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip 2>/dev/null || true
.venv/bin/python -c "import torch, torchvision" 2>/dev/null || .venv/bin/pip install -q $TORCH_SPEC
.venv/bin/pip install -q -e ".[dev]"
echo "setup done: $(.venv/bin/python -c 'import torch, shortrun_nb; print("torch", torch.__version__, "| shortrun_nb", shortrun_nb.__version__)')"
