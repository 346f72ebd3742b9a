// Loading librecbench_sentencepiece: next to librecbench_sdk, or where
// RECBENCH_SENTENCEPIECE_MODULE says; RTLD_LOCAL | RTLD_DEEPBIND keep its protobuf copy apart from
// LibTorch's (module header).
#include "sentencepiece_library.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>

#include "recbench/error.h"

namespace recbench::llm::detail {

namespace {

constexpr const char* kModuleFile = "librecbench_sentencepiece.so";

//! The module's path: the environment override, else the folder of this library.
std::filesystem::path module_path() {
  if (const char* env = std::getenv(kSentencePieceModuleEnv); env != nullptr && *env != '\0') {
    return env;
  }
  Dl_info info{};
  if (dladdr(reinterpret_cast<const void*>(&sentencepiece_api), &info) != 0 &&
      info.dli_fname != nullptr) {
    return std::filesystem::path(info.dli_fname).parent_path() / kModuleFile;
  }
  return kModuleFile;  // let the loader's search path decide
}

//! Opens the module and checks its table; an error message, or empty with `api` set.
std::string open_module(const RecbenchSpApi*& api) {
  const std::filesystem::path path = module_path();
  const std::string how =
      " (the SentencePiece module reads tokenizer.model files: build the target "
      "recbench_sentencepiece, and install Debian's libsentencepiece0 / libsentencepiece-dev with "
      "scripts/install-deps.sh; " +
      std::string(kSentencePieceModuleEnv) + " names another file)";
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
  if (handle == nullptr) {
    const char* why = dlerror();
    return path.string() + ": cannot load (" + (why != nullptr ? why : "unknown error") + ")" + how;
  }
  auto entry = reinterpret_cast<RecbenchSpEntry>(dlsym(handle, RECBENCH_SENTENCEPIECE_ENTRY));
  if (entry == nullptr) {
    return path.string() + ": no symbol " + RECBENCH_SENTENCEPIECE_ENTRY + how;
  }
  const RecbenchSpApi* table = entry();
  if (table == nullptr || table->api_version != RECBENCH_SENTENCEPIECE_API_VERSION) {
    return path.string() + ": interface version " +
           (table == nullptr ? std::string("(none)") : std::to_string(table->api_version)) +
           ", expected " + std::to_string(RECBENCH_SENTENCEPIECE_API_VERSION) +
           " (a module from another build)";
  }
  api = table;  // the handle stays open for the process's lifetime
  return "";
}

}  // namespace

const RecbenchSpApi& sentencepiece_api() {
  static const RecbenchSpApi* api = nullptr;
  static std::string error;
  static std::once_flag once;
  std::call_once(once, [] { error = open_module(api); });
  if (api == nullptr) throw ConfigError(error);
  return *api;
}

}  // namespace recbench::llm::detail
