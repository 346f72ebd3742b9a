#!/usr/bin/env bash
# The GPU check (issue: LLM backbones at real scale), one run on a machine with a CUDA PyTorch
# and no package registry, in under 8 minutes:
#   1. builds recbench against that PyTorch's LibTorch (other dependencies from the Debian
#      packages bench/gpu/fetch-deps.sh put in .deps/debs, unpacked into .deps/root);
#   2. runs the LLM, precision, contract and baseline tests (fused attention included: LibTorch
#      >= 2.5 has scaled_dot_product_attention);
#   3. compares logits of tiny random Llama / Qwen2 / Qwen3 / Mistral models with transformers
#      (bench/gpu/hf_parity.py; fp32 to 1e-4, bf16 within bf16 tolerance);
#   4. times bf16-mixed LoRA and full fine-tuning of a Qwen2.5-0.5B-shaped random model in recbench
#      and in transformers eager (bench/gpu/hf_train.py), same batch and sequence length;
#   5. times SASRec training + full-ranking evaluation on CUDA (the quickstart's synthetic data).
# Results: one JSON line per measurement in $OUT/gpu-check.jsonl (OUT defaults to build-gpu/out);
# the log of each step beside it. Usage (device tool, carry [".deps"]):
#   bash bench/gpu/check.sh
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-build-gpu/out}
mkdir -p "$out"
results="$out/gpu-check.jsonl"
: >"$results"
t0=$(date +%s)
step() { echo "== $1 ($(($(date +%s) - t0)) s)"; }
record() { echo "$1" | tee -a "$results"; }

step "dependencies"
root=$PWD/.deps/root
mkdir -p "$root"
for deb in .deps/debs/*.deb; do dpkg-deb -x "$deb" "$root"; done
arch=x86_64-linux-gnu
export CPATH="$root/usr/include:$root/usr/include/$arch:$root/usr/include/hdf5/serial"
export LIBRARY_PATH="$root/usr/lib/$arch:$root/usr/lib/$arch/hdf5/serial"
export LD_LIBRARY_PATH="$LIBRARY_PATH:${LD_LIBRARY_PATH:-}"
export PKG_CONFIG_PATH="$root/usr/lib/$arch/pkgconfig:$root/usr/share/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$root"
torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
torch_lib=$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
export LD_LIBRARY_PATH="$torch_lib:$LD_LIBRARY_PATH"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$out/gpu.txt"

step "build"
cmake -S . -B build-gpu -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$torch_prefix;$root/usr;$root/usr/lib/$arch/cmake;$root/usr/share/cmake" \
  -DHDF5_C_INCLUDE_DIR="$root/usr/include/hdf5/serial" \
  -DHDF5_C_LIBRARY="$root/usr/lib/$arch/hdf5/serial/libhdf5.so" \
  -DHDF5_C_COMPILER_EXECUTABLE=/nonexistent -DRECBENCH_OPENMP_BLAS_DIR= \
  -DRECBENCH_BUILD_BENCH=ON >"$out/cmake.log" 2>&1 || { tail -40 "$out/cmake.log"; exit 1; }
ninja -C build-gpu -j "$(nproc)" >"$out/build.log" 2>&1 || { grep -m20 -B2 -A10 "error" "$out/build.log"; exit 1; }
bin=build-gpu/bin

step "tests"
(cd build-gpu && "$PWD/bin/recbench_tests" \
  --gtest_filter='Llm*:Precision*:LossScaler*:Contract*:Baselines*:Cprec*:Rsllm*' \
  >"$out/tests.log" 2>&1)
record "{\"step\":\"tests\",\"rc\":$?,\"summary\":\"$(grep -E '^\[  (PASSED|FAILED|SKIPPED)' "$out/tests.log" | tr '\n' ' ' | tr -d '"')\"}"

step "transformers parity"
python3 bench/gpu/hf_parity.py "$bin/recbench" build-gpu/parity --device cuda | tee -a "$results"

step "fine-tuning speed"
peak=${PEAK_TFLOPS:-989}  # H100 SXM dense bf16; H200 the same
model=build-gpu/qwen2.5-0.5b
"$bin/recbench_llm_bench" --write-model "$model" --size qwen2.5-0.5b >/dev/null
for lora in 16 0; do
  flags="--batch 8 --seq-len 512 --steps 10 --warmup 3 --peak-tflops $peak"
  record "$("$bin/recbench_llm_bench" --model "$model" --task train --device cuda \
    --precision bf16-mixed --lora $lora $flags --threads 4)"
  record "$(python3 bench/gpu/hf_train.py --lora $lora $flags)"
done

step "SASRec on CUDA"
start=$(date +%s%N)
"$bin/recbench" run experiments/quickstart.toml --device cuda --out build-gpu/quickstart.h5 \
  >"$out/sasrec.log" 2>&1
rc=$?
record "{\"step\":\"quickstart_cuda\",\"rc\":$rc,\"ms\":$((($(date +%s%N) - start) / 1000000))}"
"$bin/recbench" report build-gpu/quickstart.h5 >"$out/quickstart-report.md" 2>&1
step "done"
