#!/usr/bin/env bash
# Installs recbench's build and test dependencies (Debian bookworm packages); quiet when present.
set -euo pipefail

packages=(
  cmake ninja-build g++ ccache pkg-config git
  libtorch-dev libopenblas0-pthread          # Debian's LibTorch calls the system BLAS;
  libopenblas0-openmp                        # its OpenMP build shares LibTorch's thread pool
  libgloo-dev                                # Gloo's headers: LibTorch's c10d ProcessGroupGloo
                                             # includes them (recbench run --nproc)
  libboost-dev libboost-program-options-dev  # Boost.DLL (header-only) and Program_options
  libtomlplusplus-dev libspdlog-dev libhdf5-dev
  nlohmann-json3-dev libsimdjson-dev         # JSON (simdjson for the big JSON-lines files)
  zlib1g-dev libpcre2-dev                    # gzip, Unicode regex
  libssl-dev libicu-dev                      # SHA-256 fingerprints, Unicode normalisation
  libsentencepiece-dev                       # tokenizer.model (Llama 2, Mistral), in a dlopen'ed module
  libgtest-dev libbenchmark-dev
  python3-h5py python3-pandas python3-matplotlib  # python/recbench: reader, plots, their tests
  python3-scipy                              # reference values of the statistics tests
  python3-sentencepiece                      # reference ids of the SentencePiece tokenizer tests
  chromium                                   # the HTML report test renders the page headless
  slurm-wlm munge                            # the Slurm test runs a one-node cluster (scripts/slurm)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
