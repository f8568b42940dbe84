#!/usr/bin/env bash
# Installs the Debian packages seqlab needs, idempotently: only what is missing is installed,
# and nothing at all when everything is present.
#
#   scripts/system-deps.sh [GROUP]            install what GROUP needs and is missing (root and apt)
#   scripts/system-deps.sh --check [GROUP]    exit 1 and name what is missing, install nothing
#
# GROUP is one of
#   all    (default) everything the tests need: npm test and CI run this
#   start  Debian's Jupyter Server, which `npm start` serves the notebooks with (npm start runs this)
#   hub    start + JupyterHub, for a class on one machine (jupyter-config/hub/)
#
# Without root or apt-get it installs nothing and names the one command that does.
# The packages live under /usr/bin/python3 and /usr/bin/jupyter (Debian's Python), not
# under whatever `python3` comes first on PATH.
set -euo pipefail

START=(
  python3-jupyter-server jupyter-server python3-jupyterlab-server
  python3-ipykernel python3-jupyter-client jupyter-client
)
# Debian's jupyterhub depends on node-configurable-http-proxy; the hub config uses the npm
# release of the proxy instead (see jupyter-config/hub/README.md for why).
HUB=("${START[@]}" jupyterhub)
ALL=(
  "${HUB[@]}"
  python3-nbconvert jupyter-nbconvert python3-nbclient
  python3-jupyter-kernel-test
  jupyter-console
  python3-torch
  # PyTorch's BLAS for the benchmark references: without it Debian's torch falls back to
  # the reference BLAS (4.7 GFLOP/s instead of ~87 on sgemm-512 here).
  libopenblas0-pthread
  # The engine's optional native product backend (engine/native), built by npm run build
  # with the system C compiler against OpenBLAS; without them products run on wasm.
  gcc libc6-dev libopenblas-dev
  chromium
)

check=0
if [ "${1:-}" = "--check" ]; then
  check=1
  shift
fi
group="${1:-all}"
case "$group" in
  all) PACKAGES=("${ALL[@]}"); why="the tests (Jupyter clients, nbconvert, JupyterHub, PyTorch references, Chromium)"; command="sudo bash scripts/system-deps.sh" ;;
  start) PACKAGES=("${START[@]}"); why="npm start (Debian's Jupyter Server serves the notebooks)"; command="sudo bash scripts/system-deps.sh start" ;;
  hub) PACKAGES=("${HUB[@]}"); why="a class on JupyterHub (jupyter-config/hub/)"; command="sudo bash scripts/system-deps.sh hub" ;;
  *) echo "system-deps: unknown group '$group' (all, start or hub)" >&2; exit 2 ;;
esac

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "system-deps: all ${#PACKAGES[@]} Debian packages for $why are installed"
  exit 0
fi

if [ "$check" -eq 1 ]; then
  echo "system-deps: $why needs the Debian packages ${missing[*]}, which are missing" >&2
  echo "system-deps: install them with: $command" >&2
  exit 1
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: $why needs the Debian packages ${missing[*]}, which are missing" >&2
  echo "system-deps: installing them needs root and apt-get; run: $command" >&2
  exit 1
fi

echo "system-deps: $why needs the Debian packages ${missing[*]}, which are missing; installing them with apt-get"
export DEBIAN_FRONTEND=noninteractive
# The package lists may be stale or absent on a fresh machine; refresh once, then install.
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "system-deps: done"
