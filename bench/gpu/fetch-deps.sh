#!/usr/bin/env bash
# Downloads (here, where Debian's archive is reachable) the Debian packages that building recbench
# needs beyond what the GPU machine has (it has PyTorch with its LibTorch, CMake, ninja and a
# compiler, and no package registry), into .deps/debs/ (git-ignored). bench/gpu/check.sh unpacks
# them there; name .deps in the device tool's `carry`. About 35 MB.
set -euo pipefail
cd "$(dirname "$0")/../.."
packages=(
  libboost1.74-dev libboost-program-options1.74-dev libboost-program-options1.74.0
  libtomlplusplus-dev libtomlplusplus3 libspdlog-dev libspdlog1.10 libfmt-dev libfmt9
  libhdf5-dev libhdf5-103-1 libhdf5-hl-100 libsz2 libaec0 libcurl4
  nlohmann-json3-dev libsimdjson-dev libsimdjson14
  libicu-dev libicu72 libpcre2-dev libpcre2-8-0 libgtest-dev
  libsentencepiece-dev libsentencepiece0
)
mkdir -p .deps/debs
cd .deps/debs
rm -f ./*.deb
apt-get download "${packages[@]}" >/dev/null
du -ch ./*.deb | tail -1
