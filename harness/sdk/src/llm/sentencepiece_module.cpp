// librecbench_sentencepiece: Debian's SentencePiece behind the C table of sentencepiece_module.h.
// Built as a MODULE that links only libsentencepiece; recbench_sdk dlopens it (see the header).
#include "sentencepiece_module.h"

#include <sentencepiece_processor.h>

#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

thread_local std::string g_error;

//! Reads a protobuf varint at `pos`; false at the end of the data.
bool read_varint(std::string_view data, size_t& pos, uint64_t& value) {
  value = 0;
  for (int shift = 0; pos < data.size() && shift < 64; shift += 7) {
    const auto byte = static_cast<unsigned char>(data[pos++]);
    value |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

//! Calls `on_field(field, wire_type, value, bytes)` for each field of a protobuf message (`bytes`
//! only for length-delimited fields); false when the message is malformed.
template <typename F>
bool for_each_field(std::string_view message, F on_field) {
  size_t pos = 0;
  uint64_t key = 0, value = 0;
  while (pos < message.size()) {
    if (!read_varint(message, pos, key)) return false;
    std::string_view bytes;
    switch (key & 7) {
      case 0:
        if (!read_varint(message, pos, value)) return false;
        break;
      case 1:
      case 5:
        pos += (key & 7) == 1 ? 8 : 4;
        break;
      case 2:
        if (!read_varint(message, pos, value) || value > message.size() - pos) return false;
        bytes = message.substr(pos, value);
        pos += value;
        break;
      default:
        return false;
    }
    if (pos > message.size()) return false;
    on_field(key >> 3, key & 7, value, bytes);
  }
  return true;
}

//! The type of each piece of a serialized ModelProto (field 1 `pieces`, their field 3 `type`).
//! Debian's 0.1.97 has no IsUserDefined() and ships no generated protobuf header.
std::vector<int32_t> piece_types(std::string_view proto) {
  std::vector<int32_t> types;
  for_each_field(proto, [&](uint64_t field, uint64_t wire, uint64_t, std::string_view piece) {
    if (field != 1 || wire != 2) return;
    int32_t type = kRecbenchSpNormal;
    for_each_field(piece, [&](uint64_t f, uint64_t w, uint64_t value, std::string_view) {
      if (f == 3 && w == 0) type = static_cast<int32_t>(value);
    });
    types.push_back(type);
  });
  return types;
}

}  // namespace

struct RecbenchSpModel {
  sentencepiece::SentencePieceProcessor processor;
  std::vector<int32_t> types;
};

namespace {

RecbenchSpModel* load(const char* data, size_t size) {
  try {
    auto model = std::make_unique<RecbenchSpModel>();
    const std::string_view proto(data, size);
    if (auto status = model->processor.LoadFromSerializedProto(proto); !status.ok()) {
      g_error = status.ToString();
      return nullptr;
    }
    model->types = piece_types(proto);
    model->types.resize(static_cast<size_t>(model->processor.GetPieceSize()), kRecbenchSpNormal);
    return model.release();
  } catch (const std::exception& e) {
    g_error = e.what();
    return nullptr;
  }
}

void free_model(RecbenchSpModel* model) { delete model; }

int32_t piece_count(const RecbenchSpModel* model) { return model->processor.GetPieceSize(); }

const char* piece(const RecbenchSpModel* model, int32_t id, size_t* size) {
  const std::string& text = model->processor.IdToPiece(id);
  *size = text.size();
  return text.data();
}

float score(const RecbenchSpModel* model, int32_t id) { return model->processor.GetScore(id); }

int32_t type(const RecbenchSpModel* model, int32_t id) {
  // The processor's own predicates first: they are what Encode/Decode go by.
  const auto& p = model->processor;
  if (p.IsUnknown(id)) return kRecbenchSpUnknown;
  if (p.IsControl(id)) return kRecbenchSpControl;
  if (p.IsByte(id)) return kRecbenchSpByte;
  if (p.IsUnused(id)) return kRecbenchSpUnused;
  return model->types[static_cast<size_t>(id)];
}

int32_t bos_id(const RecbenchSpModel* model) { return model->processor.bos_id(); }
int32_t eos_id(const RecbenchSpModel* model) { return model->processor.eos_id(); }

int encode(const RecbenchSpModel* model, const char* text, size_t size, RecbenchSpIdSink sink,
           void* context) {
  try {
    std::vector<int> ids;
    if (auto status = model->processor.Encode(std::string_view(text, size), &ids); !status.ok()) {
      g_error = status.ToString();
      return 1;
    }
    std::vector<int32_t> out(ids.begin(), ids.end());
    sink(context, out.data(), out.size());
    return 0;
  } catch (const std::exception& e) {
    g_error = e.what();
    return 1;
  }
}

int decode(const RecbenchSpModel* model, const int32_t* ids, size_t count, RecbenchSpTextSink sink,
           void* context) {
  try {
    std::string text;
    const std::vector<int> in(ids, ids + count);
    if (auto status = model->processor.Decode(in, &text); !status.ok()) {
      g_error = status.ToString();
      return 1;
    }
    sink(context, text.data(), text.size());
    return 0;
  } catch (const std::exception& e) {
    g_error = e.what();
    return 1;
  }
}

const char* last_error() { return g_error.c_str(); }

constexpr RecbenchSpApi kApi = {RECBENCH_SENTENCEPIECE_API_VERSION,
                                load,
                                free_model,
                                piece_count,
                                piece,
                                score,
                                type,
                                bos_id,
                                eos_id,
                                encode,
                                decode,
                                last_error};

}  // namespace

extern "C" __attribute__((visibility("default"))) const RecbenchSpApi*
recbench_sentencepiece_api() {
  return &kApi;
}
