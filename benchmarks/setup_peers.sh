#!/usr/bin/env bash
# Create benchmarks/.peer-venv (if missing) with the peer libraries the benchmarks compare
# shoal against: Rockpool 3.1.0, snnTorch, Norse, spyx, pinned in peers/requirements.txt.
# peers/constraints.txt pins torch to the CPU build 2.13.0 that pip finds locally, so no peer
# dependency can pull another torch build (several GB of CUDA wheels).
# Re-running is cheap: pip sees everything satisfied and installs nothing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.peer-venv"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    echo "creating $venv"
    "$python" -m venv "$venv"
fi
stamp="$venv/.installed"
if [ -f "$stamp" ] && [ "$stamp" -nt "$here/peers/requirements.txt" ] \
    && [ "$stamp" -nt "$here/peers/constraints.txt" ]; then
    exit 0
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install \
    -c "$here/peers/constraints.txt" -r "$here/peers/requirements.txt"
touch "$stamp"
