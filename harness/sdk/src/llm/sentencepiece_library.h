// Finds and opens librecbench_sentencepiece (the only code that links SentencePiece) at first use.
#pragma once

#include "sentencepiece_module.h"

namespace recbench::llm::detail {

//! Environment variable naming the module file; overrides the default next to librecbench_sdk.
inline constexpr const char* kSentencePieceModuleEnv = "RECBENCH_SENTENCEPIECE_MODULE";

//! The module's function table, loaded once (dlopen with RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND).
//! ConfigError naming the file, why it did not load and how to get it; the same error each call.
const RecbenchSpApi& sentencepiece_api();

}  // namespace recbench::llm::detail
