#!/usr/bin/env bash
# Times the AutoCurv workloads W1–W4 in PyTorch (Debian's python3-torch, float64, one thread).
# Installs python3-torch and libopenblas0-pthread with apt-get when Debian's python cannot import torch.
# Usage: benchmarks/torch/run.sh [bench.py options, e.g. --json out.json --only W1,W4]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Debian's python3-torch lives in /usr/lib/python3/dist-packages: use Debian's interpreter, not a pyenv/venv one.
PY=/usr/bin/python3
if [ ! -x "$PY" ]; then PY="$(command -v python3)"; fi

if ! "$PY" -c 'import torch' >/dev/null 2>&1; then
  echo "torch not importable by $PY: installing python3-torch and libopenblas0-pthread with apt-get" >&2
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends python3 python3-torch libopenblas0-pthread
fi

# One BLAS thread, whatever the BLAS build (bench.py also calls torch.set_num_threads(1)).
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
exec "$PY" "$here/bench.py" "$@"
