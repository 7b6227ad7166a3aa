#pragma once
// A small streaming JSON writer for reports: keys in the order written, numbers in the shortest
// form that reads back to the same double, NaN and infinities as null (JSON has neither), so the
// same results always give byte-identical files.
//
//   JsonWriter w;
//   w.begin_object(); w.key("n"); w.value(3); w.key("ci95"); w.begin_array(); ... w.end_object();
//   std::string text = w.str();

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace podsim::report {

class JsonWriter {
 public:
  /// indent 0 writes everything on one line.
  explicit JsonWriter(int indent = 2) : indent_(indent) {}

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  void key(std::string_view k);
  void value(std::string_view s);
  void value(const char* s) { value(std::string_view(s)); }
  void value(double x);
  void value(std::int64_t x);
  void value(std::uint64_t x);
  void value(int x) { value(static_cast<std::int64_t>(x)); }
  void value(unsigned x) { value(static_cast<std::uint64_t>(x)); }
  void value(bool b);
  void null();

  const std::string& str() const { return out_; }

  /// The JSON string literal for s, quotes included.
  static std::string quote(std::string_view s);

 private:
  void before_value();
  void newline();

  struct Level {
    bool array;
    bool empty;
  };
  std::string out_;
  std::vector<Level> stack_;
  bool after_key_ = false;
  int indent_;
};

}  // namespace podsim::report
