# Sourced by bench/*/run.sh: the Python references run on the BLAS recbench links (OpenBLAS's
# OpenMP build, one thread pool with LibTorch's; cmake/RecbenchDependencies.cmake), not on
# whatever libblas.so.3 the system selects.
openmp_blas="/usr/lib/$(gcc -print-multiarch)/openblas-openmp"
if [ -d "$openmp_blas" ]; then
  export LD_LIBRARY_PATH="$openmp_blas${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
