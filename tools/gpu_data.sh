#!/usr/bin/env bash
# Make the data subset a GPU check carries (≈ 45 MB, under the 64 MiB a device run may carry):
#   tools/gpu_data.sh SRC DST      e.g. tools/gpu_data.sh ../shared/data .gpu_data
# SRC has the shared layout (mnist/, ptb/, cifar10/cifar10_train10k_test10k.npz); DST gets MNIST, PTB and the
# CIFAR-10 training subset only (FID statistics of the test set stay on the CPU side).
set -euo pipefail
src=$(realpath "$1"); dst=$2
mkdir -p "$dst/mnist" "$dst/ptb" "$dst/cifar10"
cp "$src"/mnist/*.gz "$dst/mnist/"
cp "$src"/ptb/*.gz "$dst/ptb/"
"${PYTHON:-python3}" - "$src/cifar10/cifar10_train10k_test10k.npz" "$dst/cifar10/cifar10_train10k.npz" <<'PY'
import sys, numpy as np
z = np.load(sys.argv[1])
np.savez(sys.argv[2], x_train=z['x_train'], y_train=z['y_train'])
PY
du -sh "$dst"
