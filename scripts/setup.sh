#!/usr/bin/env bash
# Installs the Debian packages mpactor needs that this machine lacks, then
# configures and builds into ./build. Used by demo.sh, test.sh and bench.sh.
# Extra package names may be given as arguments.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake make libcaf-dev libboost-dev catch2 nlohmann-json3-dev
          libssl-dev openssl iproute2 "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
