#!/usr/bin/env bash
# Installs the Debian packages seqlab's tests and host need, idempotently:
# only what is missing is installed, and nothing at all when everything is present.
#
#   scripts/system-deps.sh            install what is missing (needs root and apt)
#   scripts/system-deps.sh --check    exit 1 and name what is missing, install nothing
#
# The packages live under /usr/bin/python3 and /usr/bin/jupyter (Debian's Python), not
# under whatever `python3` comes first on PATH.
set -euo pipefail

PACKAGES=(
  python3-jupyter-client jupyter-client python3-ipykernel
  python3-nbconvert jupyter-nbconvert python3-nbclient
  python3-jupyter-kernel-test
  python3-jupyter-server jupyter-server python3-jupyterlab-server
  jupyter-console
  python3-torch
  # PyTorch's BLAS for the benchmark references: without it Debian's torch falls back to
  # the reference BLAS (4.7 GFLOP/s instead of ~87 on sgemm-512 here).
  libopenblas0-pthread
  chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "system-deps: all ${#PACKAGES[@]} Debian packages present"
  exit 0
fi

if [ "${1:-}" = "--check" ]; then
  echo "system-deps: missing Debian packages: ${missing[*]}" >&2
  echo "system-deps: install them with: sudo bash scripts/system-deps.sh" >&2
  exit 1
fi

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: missing Debian packages: ${missing[*]}" >&2
  echo "system-deps: this needs root and apt-get; run: sudo bash scripts/system-deps.sh" >&2
  exit 1
fi

echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# The package lists may be stale or absent on a fresh machine; refresh once, then install.
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "system-deps: done"
