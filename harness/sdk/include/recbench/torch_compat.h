// The one place for LibTorch version shims (Debian ships 1.13; CUDA builds use newer releases).
#pragma once

#include <torch/version.h>

#define RECBENCH_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) ||           \
   (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))
