# Finds every dependency; all are Debian bookworm packages (see scripts/install-deps.sh).
find_package(Torch REQUIRED)          # Debian libtorch-dev, or a pip PyTorch via CMAKE_PREFIX_PATH
find_package(Boost 1.74 REQUIRED COMPONENTS program_options)
find_package(tomlplusplus REQUIRED)
find_package(spdlog REQUIRED)
find_package(HDF5 REQUIRED COMPONENTS C)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(simdjson 3.0 REQUIRED)
find_package(ZLIB REQUIRED)
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)  # SHA-256 fingerprints of prepared datasets
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-uc)  # Unicode normalisation (libicu-dev)
# SentencePiece tokenizer.model files (Llama 2, Mistral): linked only by the recbench_sentencepiece
# module, which the SDK dlopens (harness/sdk/CMakeLists.txt says why).
pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)

# Boost.DLL is header-only; std::filesystem instead of Boost.Filesystem.
add_library(recbench_boost_dll INTERFACE)
target_link_libraries(recbench_boost_dll INTERFACE Boost::boost ${CMAKE_DL_LIBS})
target_compile_definitions(recbench_boost_dll INTERFACE BOOST_DLL_USE_STD_FS)

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()

# One CPU thread pool. Debian's LibTorch runs its own kernels on OpenMP (libgomp) and its matrix
# products in whichever libblas.so.3 the system selects, by default OpenBLAS's pthreads build,
# which keeps a second pool of one thread per core: the two pools then fight over the cores
# (a SASRec training profile: 44% of the time in libgomp spin-waits, 26% in sched_yield, 8% in
# sgemm). OpenBLAS's OpenMP build (libopenblas0-openmp) runs on libgomp's pool. recbench_sdk
# links it by full path, so every executable names libblas.so.3, liblapack.so.3 and
# libopenblas.so.0 itself and finds them through its RUNPATH; the loader maps an executable's
# own dependencies first, and LibTorch's requests for the same sonames then reuse them.
set(RECBENCH_OPENMP_BLAS_DIR "/usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp"
    CACHE PATH "folder of OpenBLAS's OpenMP build (empty: use the system's libblas.so.3)")
add_library(recbench_blas INTERFACE)
set(_blas_files "")
foreach(_lib libblas.so.3 liblapack.so.3 libopenblas.so.0)
  if(RECBENCH_OPENMP_BLAS_DIR AND EXISTS "${RECBENCH_OPENMP_BLAS_DIR}/${_lib}")
    list(APPEND _blas_files "${RECBENCH_OPENMP_BLAS_DIR}/${_lib}")
  endif()
endforeach()
list(LENGTH _blas_files _blas_found)
if(_blas_found EQUAL 3)
  # --no-as-needed: nothing of ours calls BLAS directly, and the entries must stay.
  target_link_libraries(recbench_blas INTERFACE -Wl,--no-as-needed ${_blas_files})
  target_compile_definitions(recbench_blas INTERFACE RECBENCH_OPENMP_BLAS=1)
  message(STATUS "recbench: OpenBLAS OpenMP build from ${RECBENCH_OPENMP_BLAS_DIR}")
else()
  message(WARNING "recbench: no OpenBLAS OpenMP build in '${RECBENCH_OPENMP_BLAS_DIR}' "
                  "(Debian: libopenblas0-openmp); LibTorch's and the BLAS library's thread "
                  "pools will compete for the cores")
endif()
