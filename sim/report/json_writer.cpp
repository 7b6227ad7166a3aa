#include "podsim/report/json_writer.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "podsim/report/format.hpp"

namespace podsim::report {

std::string JsonWriter::quote(std::string_view s) {
  std::string r;
  r.reserve(s.size() + 2);
  r.push_back('"');
  for (const char c : s) {
    switch (c) {
      case '"':
        r.append("\\\"");
        break;
      case '\\':
        r.append("\\\\");
        break;
      case '\n':
        r.append("\\n");
        break;
      case '\r':
        r.append("\\r");
        break;
      case '\t':
        r.append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          r.append(fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c))));
        } else {
          r.push_back(c);
        }
    }
  }
  r.push_back('"');
  return r;
}

void JsonWriter::newline() {
  if (indent_ == 0) return;
  out_.push_back('\n');
  out_.append(stack_.size() * static_cast<std::size_t>(indent_), ' ');
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) {
    if (!out_.empty()) throw std::logic_error("JsonWriter: a second top-level value");
    return;
  }
  Level& top = stack_.back();
  if (!top.array) throw std::logic_error("JsonWriter: a value in an object needs a key first");
  if (!top.empty) out_.push_back(',');
  top.empty = false;
  newline();
}

void JsonWriter::key(std::string_view k) {
  if (stack_.empty() || stack_.back().array || after_key_) {
    throw std::logic_error("JsonWriter: a key outside an object");
  }
  Level& top = stack_.back();
  if (!top.empty) out_.push_back(',');
  top.empty = false;
  newline();
  out_.append(quote(k));
  out_.append(indent_ == 0 ? ":" : ": ");
  after_key_ = true;
}

void JsonWriter::begin_object() {
  before_value();
  out_.push_back('{');
  stack_.push_back({false, true});
}

void JsonWriter::begin_array() {
  before_value();
  out_.push_back('[');
  stack_.push_back({true, true});
}

void JsonWriter::end_object() {
  if (stack_.empty() || stack_.back().array) throw std::logic_error("JsonWriter: no object to end");
  const bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) newline();
  out_.push_back('}');
}

void JsonWriter::end_array() {
  if (stack_.empty() || !stack_.back().array) throw std::logic_error("JsonWriter: no array to end");
  const bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) newline();
  out_.push_back(']');
}

void JsonWriter::value(std::string_view s) {
  before_value();
  out_.append(quote(s));
}

void JsonWriter::value(double x) {
  before_value();
  if (!std::isfinite(x)) {
    out_.append("null");
    return;
  }
  out_.append(shortest(x));  // the same digits as the CSV files
}

void JsonWriter::value(std::int64_t x) {
  before_value();
  out_.append(fmt::format("{}", x));
}

void JsonWriter::value(std::uint64_t x) {
  before_value();
  out_.append(fmt::format("{}", x));
}

void JsonWriter::value(bool b) {
  before_value();
  out_.append(b ? "true" : "false");
}

void JsonWriter::null() {
  before_value();
  out_.append("null");
}

}  // namespace podsim::report
