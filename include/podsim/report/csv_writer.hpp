#pragma once
// CSV rows with RFC 4180 quoting: a field holding a comma, a double quote, CR or LF is enclosed
// in double quotes with its quotes doubled; other fields are written as they are. Rows end with
// "\n" (every CSV reader accepts it; RFC 4180's CRLF would show up as "^M" in Unix tools).

#include <initializer_list>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

namespace podsim::report {

/// The field as it appears in the file: csv_field("a,b") == "\"a,b\"".
std::string csv_field(std::string_view field);

class CsvWriter {
 public:
  explicit CsvWriter(std::ostream& out) : out_(out) {}

  void row(std::span<const std::string> fields);
  void row(std::initializer_list<std::string_view> fields);

 private:
  void field(std::string_view f, bool first);
  std::ostream& out_;
};

}  // namespace podsim::report
