// The C interface of librecbench_sentencepiece, the module that alone links Debian's SentencePiece.
//
// libsentencepiece0 (0.1.97) carries its own protobuf-lite 3.14 and exports its google::protobuf
// symbols; linked into a process that holds LibTorch's libprotobuf 3.21 it either crashes before
// main or aborts in protobuf's version check. So recbench_sdk never links it: it dlopens this
// module with RTLD_LOCAL | RTLD_DEEPBIND (SentencePiece then binds to its own protobuf copy) and
// talks to it through this table of plain C functions, which passes no C++ types across.
#pragma once

#include <stddef.h>
#include <stdint.h>

extern "C" {

//! Bumped whenever the table below changes; the loader refuses any other value.
#define RECBENCH_SENTENCEPIECE_API_VERSION 1u

//! Piece types as in SentencePiece's ModelProto.SentencePiece.Type.
enum RecbenchSpPieceType {
  kRecbenchSpNormal = 1,
  kRecbenchSpUnknown = 2,
  kRecbenchSpControl = 3,
  kRecbenchSpUserDefined = 4,
  kRecbenchSpUnused = 5,
  kRecbenchSpByte = 6,
};

struct RecbenchSpModel;  //!< opaque: one loaded SentencePieceProcessor

//! Receives ids or bytes produced by the module (no allocation crosses the boundary).
typedef void (*RecbenchSpIdSink)(void* context, const int32_t* ids, size_t count);
typedef void (*RecbenchSpTextSink)(void* context, const char* text, size_t size);

//! The module's functions. Functions that can fail return null / nonzero and leave a message in
//! last_error() (thread-local, valid until the next call on the same thread).
struct RecbenchSpApi {
  uint32_t api_version;  //!< RECBENCH_SENTENCEPIECE_API_VERSION; checked first
  //! A model from the bytes of a tokenizer.model (a serialized ModelProto); null on failure.
  RecbenchSpModel* (*load)(const char* data, size_t size);
  void (*free_model)(RecbenchSpModel* model);
  int32_t (*piece_count)(const RecbenchSpModel* model);
  //! The piece text of `id` (its bytes stay valid while the model lives); `size` receives its
  //! length.
  const char* (*piece)(const RecbenchSpModel* model, int32_t id, size_t* size);
  float (*score)(const RecbenchSpModel* model, int32_t id);
  int32_t (*type)(const RecbenchSpModel* model, int32_t id);  //!< a RecbenchSpPieceType
  int32_t (*bos_id)(const RecbenchSpModel* model);            //!< -1 when the model has none
  int32_t (*eos_id)(const RecbenchSpModel* model);            //!< -1 when the model has none
  //! SentencePiece's plain encode (no BOS/EOS) of UTF-8 `text`; 0 on success.
  int (*encode)(const RecbenchSpModel* model, const char* text, size_t size, RecbenchSpIdSink sink,
                void* context);
  //! SentencePiece's decode of `ids` (control pieces are dropped); 0 on success.
  int (*decode)(const RecbenchSpModel* model, const int32_t* ids, size_t count,
                RecbenchSpTextSink sink, void* context);
  const char* (*last_error)(void);
};

//! The module's one exported symbol.
typedef const RecbenchSpApi* (*RecbenchSpEntry)(void);
#define RECBENCH_SENTENCEPIECE_ENTRY "recbench_sentencepiece_api"

}  // extern "C"
