#!/usr/bin/env bash
# One-run comparison: PyTorch (benchmarks/torch/run.sh, installs Debian's python3-torch if needed) and then the
# AutoCurv quick run, which reads the PyTorch medians and prints both side by side with the ratios and targets.
# Usage: benchmarks/compare.sh [--seconds 1] [--only W1,W4]     (results land in benchmarks/results/)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/results"
mkdir -p "$out"
"$here/torch/run.sh" --json "$out/torch.json" "$@" | tee "$out/torch.md"
dotnet build "$here/AutoCurv.Benchmarks/AutoCurv.Benchmarks.csproj" -c Release -nologo -v q
dotnet "$here/AutoCurv.Benchmarks/bin/Release/net10.0/AutoCurv.Benchmarks.dll" --quick --torch "$out/torch.json" --json "$out/autocurv.json" "$@" | tee "$out/autocurv.md"
