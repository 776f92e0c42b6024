#!/usr/bin/env bash
# What bench/gpu_check.py needs on a CUDA machine that has PyTorch and no network: the Jupyter and
# test packages as wheels in .whl/, and Fashion-MNIST's four .gz files in .fmnist/ (both
# git-ignored). Run it here, where PyPI can be reached; then carry .whl and .fmnist along and run
#   python3 -m pip install -q --no-index --no-deps --target /tmp/site .whl/*.whl
#   PYTHONPATH=/tmp/site python3 bench/gpu_check.py --fashion-mnist .fmnist --cap --out gpu.json
# PYTHON_VERSION is the GPU machine's Python (default 3.12).
set -euo pipefail
cd "$(dirname "$0")/.."
version="${PYTHON_VERSION:-3.12}"
rm -rf .whl && mkdir -p .whl .fmnist
platforms=()
for tag in manylinux_2_28_x86_64 manylinux_2_27_x86_64 manylinux_2_17_x86_64 manylinux2014_x86_64 \
           manylinux1_x86_64; do
    platforms+=(--platform "$tag")
done
python3 -m pip download -q --only-binary=:all: --python-version "$version" --implementation cp \
    "${platforms[@]}" -d .whl ipykernel nbclient nbformat "ipywidgets>=8" pytest "nbval>=0.11,<0.12"
for name in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte \
            t10k-labels-idx1-ubyte; do
    source="data/FashionMNIST/raw/$name"
    [ -f "$source" ] || { echo "no $source: run make data first" >&2; exit 1; }
    gzip -c "$source" > ".fmnist/$name.gz"
done
echo "wheels in .whl ($(ls .whl | wc -l) files), Fashion-MNIST in .fmnist"
