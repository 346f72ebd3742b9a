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

# Boost.DLL is header-only; std::filesystem instead of Boost.Filesystem.
add_library(recbench_boost_dll INTERFACE)
target_link_libraries(recbench_boost_dll INTERFACE Boost::boost ${CMAKE_DL_LIBS})
target_compile_definitions(recbench_boost_dll INTERFACE BOOST_DLL_USE_STD_FS)

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()
