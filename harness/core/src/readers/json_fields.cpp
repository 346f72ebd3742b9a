// Picks a few top-level fields out of one JSON object (a JSON-lines record).
//
// simdjson parses every record (it validates the whole line at several GB/s); a record it refuses
// is parsed again with nlohmann-json's SAX interface, which either accepts it (numbers simdjson
// does not represent, such as integers above 2^64) or says where and why it is not JSON.
#include "json_fields.h"

#include <simdjson.h>
#include <charconv>
#include <nlohmann/json.hpp>

namespace recbench::readers {

using Json = nlohmann::json;

//! SAX events -> the picked fields; containers below a picked key are flattened to strings.
class JsonFields::Handler : public nlohmann::json_sax<Json> {
 public:
  Handler(const std::vector<std::string>& keys, std::vector<JsonField>& fields)
      : keys_(keys), fields_(fields) {}
  std::string error;

  bool null() override { return scalar(JsonField::Kind::kNull, "null"); }
  bool boolean(bool v) override { return scalar(JsonField::Kind::kBool, v ? "true" : "false"); }
  bool number_integer(number_integer_t v) override {
    if (!scalar(JsonField::Kind::kInteger, std::to_string(v))) return false;
    if (picked_scalar()) fields_[current_].integer = v;
    return true;
  }
  bool number_unsigned(number_unsigned_t v) override {
    if (!scalar(JsonField::Kind::kInteger, std::to_string(v))) return false;
    if (picked_scalar()) fields_[current_].integer = static_cast<int64_t>(v);
    return true;
  }
  bool number_float(number_float_t v, const string_t& text) override {
    if (!scalar(JsonField::Kind::kFloat, text)) return false;
    if (picked_scalar()) fields_[current_].integer = static_cast<int64_t>(v);
    return true;
  }
  bool string(string_t& v) override {
    if (!in_pick()) return scalar(JsonField::Kind::kString, v);
    if (stack_.back()) fields_[current_].items.push_back(std::move(v));  // strings in arrays only
    return true;
  }
  bool binary(binary_t&) override { return scalar(JsonField::Kind::kNull, ""); }
  bool start_object(std::size_t) override { return open(false); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(true); }
  bool end_array() override { return close(); }
  bool key(string_t& k) override {
    if (stack_.size() != 1) return true;
    current_ = -1;
    for (size_t i = 0; i < keys_.size(); ++i) {
      if (keys_[i] == k) current_ = static_cast<int>(i);
    }
    if (current_ >= 0) fields_[current_] = JsonField{};  // a repeated key: the last one wins
    return true;
  }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& e) override {
    std::string what = e.what();
    const size_t colon = what.find(": ", what.find("column"));
    if (colon != std::string::npos) what = what.substr(colon + 2);
    error = "invalid JSON at column " + std::to_string(position) + " (" + what +
            "); expected one JSON object per line";
    return false;
  }

 private:
  bool in_pick() const { return current_ >= 0 && stack_.size() >= 2; }
  bool picked_scalar() const { return current_ >= 0 && stack_.size() == 1; }
  bool scalar(JsonField::Kind kind, const std::string& text) {
    if (stack_.empty()) return fail("a JSON object, found a bare value");
    if (picked_scalar()) {
      fields_[current_].kind = kind;
      fields_[current_].text = text;
    }
    return true;
  }
  bool open(bool array) {
    if (stack_.empty() && array) return fail("a JSON object, found an array");
    if (picked_scalar()) {
      fields_[current_].kind = array ? JsonField::Kind::kArray : JsonField::Kind::kObject;
    }
    stack_.push_back(array);
    return true;
  }
  bool close() {
    stack_.pop_back();
    if (stack_.size() == 1 && current_ >= 0) current_ = -1;  // the picked value is complete
    return true;
  }
  bool fail(const std::string& expected) {
    error = "expected " + expected;
    return false;
  }

  const std::vector<std::string>& keys_;
  std::vector<JsonField>& fields_;
  std::vector<bool> stack_;  //!< open containers, true = array
  int current_ = -1;         //!< picked key whose value is being read
};

namespace {

//! Strings of `value` that sit directly in an array, at any depth (as the SAX handler keeps them).
void collect_strings(simdjson::dom::element value, bool in_array, std::vector<std::string>& out) {
  std::string_view text;
  simdjson::dom::array array;
  simdjson::dom::object object;
  if (!value.get_string().get(text)) {
    if (in_array) out.emplace_back(text);
  } else if (!value.get_array().get(array)) {
    for (simdjson::dom::element child : array) collect_strings(child, true, out);
  } else if (!value.get_object().get(object)) {
    for (simdjson::dom::key_value_pair field : object) collect_strings(field.value, false, out);
  }
}

void fill(simdjson::dom::element value, JsonField& field) {
  using Type = simdjson::dom::element_type;
  using Kind = JsonField::Kind;
  switch (value.type()) {
    case Type::NULL_VALUE:
      field.kind = Kind::kNull;
      field.text = "null";
      break;
    case Type::BOOL:
      field.kind = Kind::kBool;
      field.text = value.get_bool().value_unsafe() ? "true" : "false";
      break;
    case Type::INT64:
      field.kind = Kind::kInteger;
      field.integer = value.get_int64().value_unsafe();
      field.text = std::to_string(field.integer);
      break;
    case Type::UINT64: {
      const uint64_t v = value.get_uint64().value_unsafe();
      field.kind = Kind::kInteger;
      field.integer = static_cast<int64_t>(v);
      field.text = std::to_string(v);
      break;
    }
    case Type::DOUBLE: {
      const double v = value.get_double().value_unsafe();
      char buffer[32];
      const auto end = std::to_chars(buffer, buffer + sizeof buffer, v).ptr;
      field.kind = Kind::kFloat;
      field.integer = static_cast<int64_t>(v);
      field.text.assign(buffer, end);
      break;
    }
    case Type::STRING:
      field.kind = Kind::kString;
      field.text = value.get_string().value_unsafe();
      break;
    case Type::ARRAY:
    case Type::OBJECT:
      field.kind = value.type() == Type::ARRAY ? Kind::kArray : Kind::kObject;
      collect_strings(value, false, field.items);
      break;
  }
}

}  // namespace

struct JsonFields::Fast {
  simdjson::dom::parser parser;
};

JsonFields::JsonFields(std::vector<std::string> keys)
    : keys_(std::move(keys)), fields_(keys_.size()), fast_(std::make_unique<Fast>()) {}

JsonFields::~JsonFields() = default;

bool JsonFields::parse(std::string_view record, std::string& error) {
  for (auto& f : fields_) {
    f.kind = JsonField::Kind::kMissing;
    f.text.clear();
    f.items.clear();
    f.integer = 0;
  }
  simdjson::dom::element doc;
  simdjson::dom::object object;
  if (!fast_->parser.parse(record.data(), record.size()).get(doc) &&
      !doc.get_object().get(object)) {
    for (simdjson::dom::key_value_pair field : object) {
      for (size_t i = 0; i < keys_.size(); ++i) {
        if (keys_[i] == field.key) {
          if (fields_[i].kind != JsonField::Kind::kMissing) {
            fields_[i] = JsonField{};  // a repeated key: the last one wins, as in Handler::key
          }
          fill(field.value, fields_[i]);
        }
      }
    }
    return true;
  }
  Handler handler(keys_, fields_);
  const bool ok = Json::sax_parse(record.begin(), record.end(), &handler);
  if (!ok) error = handler.error.empty() ? "invalid JSON; expected one JSON object" : handler.error;
  return ok;
}

}  // namespace recbench::readers
