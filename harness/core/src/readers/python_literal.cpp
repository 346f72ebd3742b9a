// Rewrites a Python literal (repr() of dicts, lists, str, numbers) as JSON text for nlohmann-json.
#include <string>

#include "recbench/core/readers/readers.h"

namespace recbench::readers {

namespace {

bool is_ident(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

//! Token-by-token transliteration; the JSON parser then checks the structure.
class Converter {
 public:
  Converter(std::string_view in, std::string& out, std::string& error)
      : in_(in), out_(out), error_(error) {}

  bool run() {
    out_.clear();
    while (i_ < in_.size()) {
      const char c = in_[i_];
      if (c == '(' || c == ')') {
        if (c == ')') drop_trailing_comma();
        out_ += c == '(' ? '[' : ']';
        ++i_;
      } else if (c == ']' || c == '}') {
        drop_trailing_comma();
        out_ += c;
        ++i_;
      } else if (c == '\'' || c == '"') {
        if (!string_literal(false, false)) return false;
      } else if (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9')) {
        if (!number()) return false;
      } else if (is_ident(c)) {
        if (!identifier()) return false;
      } else {
        out_ += c;  // whitespace, '{', '[', ':', ','; anything else fails in the JSON parser
        ++i_;
      }
    }
    return true;
  }

 private:
  bool fail(const std::string& what, size_t at) {
    error_ = what + " at column " + std::to_string(at + 1);
    return false;
  }

  void drop_trailing_comma() {  // "(1,)" and "[1, ]" are valid Python
    size_t k = out_.size();
    while (k > 0 && (out_[k - 1] == ' ' || out_[k - 1] == '\t')) --k;
    if (k > 0 && out_[k - 1] == ',') out_.erase(k - 1, 1);
  }

  bool identifier() {
    const size_t start = i_;
    while (i_ < in_.size() && is_ident(in_[i_])) ++i_;
    const std::string_view word = in_.substr(start, i_ - start);
    if (i_ < in_.size() && (in_[i_] == '\'' || in_[i_] == '"') && word.size() <= 2 &&
        word.find_first_not_of("uUbBrR") == std::string_view::npos) {
      const bool raw = word.find_first_of("rR") != std::string_view::npos;
      const bool bytes = word.find_first_of("bB") != std::string_view::npos;
      return string_literal(raw, bytes);
    }
    if (word == "True") {
      out_ += "true";
    } else if (word == "False") {
      out_ += "false";
    } else if (word == "None" || word == "nan" || word == "inf") {
      out_ += "null";
    } else {
      return fail("unexpected '" + std::string(word) +
                      "'; expected a Python literal (dict, list, tuple, str, number, "
                      "True/False/None)",
                  start);
    }
    return true;
  }

  bool number() {
    const size_t start = i_;
    if (in_[i_] == '-' || in_[i_] == '+') {
      if (in_.substr(i_ + 1, 3) == "inf") {
        out_ += "null";
        i_ += 4;
        return true;
      }
      if (in_[i_] == '-') out_ += '-';
      ++i_;
    }
    while (i_ < in_.size()) {
      const char c = in_[i_];
      const bool exponent_sign =
          (c == '+' || c == '-') && (in_[i_ - 1] == 'e' || in_[i_ - 1] == 'E');
      if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || exponent_sign)) break;
      out_ += c;
      ++i_;
    }
    if (i_ < in_.size() && (in_[i_] == 'L' || in_[i_] == 'l')) ++i_;  // Python 2 long
    if (i_ == start + 1 && (in_[start] == '-' || in_[start] == '+' || in_[start] == '.')) {
      return fail("stray '" + std::string(1, in_[start]) + "'; expected a number", start);
    }
    return true;
  }

  //! Reads `n` hex digits after position i_; -1 when they are not there.
  long hex(size_t n) {
    if (i_ + n > in_.size()) return -1;
    long v = 0;
    for (size_t k = 0; k < n; ++k) {
      const int d = hex_value(in_[i_ + k]);
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    i_ += n;
    return v;
  }

  //! A code point from \x, \u or \U (pairing UTF-16 surrogates as Python 2 narrow builds wrote).
  void code_point(uint32_t cp) {
    if (cp >= 0xD800 && cp <= 0xDBFF && in_.substr(i_, 2) == "\\u") {
      const size_t save = i_;
      i_ += 2;
      const long low = hex(4);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        append_utf8(0x10000 + ((cp - 0xD800) << 10) + (static_cast<uint32_t>(low) - 0xDC00), text_);
        return;
      }
      i_ = save;
    }
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) cp = 0xFFFD;
    append_utf8(cp, text_);
  }

  bool escape(bool bytes, size_t at) {
    const char e = in_[i_++];
    switch (e) {
      case '\\':
        text_ += '\\';
        return true;
      case '\'':
        text_ += '\'';
        return true;
      case '"':
        text_ += '"';
        return true;
      case 'a':
        text_ += '\a';
        return true;
      case 'b':
        text_ += '\b';
        return true;
      case 'f':
        text_ += '\f';
        return true;
      case 'n':
        text_ += '\n';
        return true;
      case 'r':
        text_ += '\r';
        return true;
      case 't':
        text_ += '\t';
        return true;
      case 'v':
        text_ += '\v';
        return true;
      case '\n':
        return true;
      default:
        break;
    }
    if (e >= '0' && e <= '7') {
      uint32_t v = static_cast<uint32_t>(e - '0');
      for (int k = 0; k < 2 && i_ < in_.size() && in_[i_] >= '0' && in_[i_] <= '7'; ++k) {
        v = v * 8 + static_cast<uint32_t>(in_[i_++] - '0');
      }
      bytes ? void(text_ += static_cast<char>(v & 0xFF)) : code_point(v);
      return true;
    }
    if (e == 'x' || (!bytes && (e == 'u' || e == 'U'))) {
      const long v = hex(e == 'x' ? 2 : e == 'u' ? 4 : 8);
      if (v < 0) return fail(std::string("bad \\") + e + " escape; expected hex digits", at);
      bytes ? void(text_ += static_cast<char>(v)) : code_point(static_cast<uint32_t>(v));
      return true;
    }
    if (e == 'N' && !bytes) return fail("\\N{...} escapes are not supported", at);
    text_ += '\\';  // Python keeps unknown escapes verbatim
    text_ += e;
    return true;
  }

  bool string_literal(bool raw, bool bytes) {
    const size_t start = i_;
    const char quote = in_[i_++];
    text_.clear();
    for (;;) {
      if (i_ >= in_.size()) {
        return fail(std::string("unterminated string; expected a closing ") + quote, start);
      }
      const char c = in_[i_];
      if (c == quote) break;
      if (c == '\\' && i_ + 1 < in_.size()) {
        if (raw) {
          text_ += c;
          text_ += in_[i_ + 1];
          i_ += 2;
        } else {
          ++i_;
          if (!escape(bytes, i_ - 1)) return false;
        }
        continue;
      }
      text_ += c;
      ++i_;
    }
    ++i_;
    if (bytes && !is_valid_utf8(text_)) text_ = latin1_to_utf8(text_);
    emit_json_string();
    return true;
  }

  void emit_json_string() {
    static constexpr char kHex[] = "0123456789abcdef";
    out_ += '"';
    for (const char c : text_) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out_ += '\\';
        out_ += c;
      } else if (u < 0x20) {
        out_ += "\\u00";
        out_ += kHex[u >> 4];
        out_ += kHex[u & 15];
      } else {
        out_ += c;
      }
    }
    out_ += '"';
  }

  std::string_view in_;
  std::string& out_;
  std::string& error_;
  std::string text_;  //!< the decoded string being read
  size_t i_ = 0;
};

}  // namespace

bool python_literal_to_json(std::string_view literal, std::string& out, std::string& error) {
  return Converter(literal, out, error).run();
}

}  // namespace recbench::readers
