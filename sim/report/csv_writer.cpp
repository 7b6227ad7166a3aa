#include "podsim/report/csv_writer.hpp"

namespace podsim::report {

std::string csv_field(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string quoted;
  quoted.reserve(field.size() + 2);
  quoted.push_back('"');
  for (const char c : field) {
    if (c == '"') quoted.push_back('"');
    quoted.push_back(c);
  }
  quoted.push_back('"');
  return quoted;
}

void CsvWriter::field(std::string_view f, bool first) {
  if (!first) out_.put(',');
  if (f.find_first_of(",\"\r\n") == std::string_view::npos) {
    out_.write(f.data(), static_cast<std::streamsize>(f.size()));
  } else {
    out_ << csv_field(f);
  }
}

void CsvWriter::row(std::span<const std::string> fields) {
  bool first = true;
  for (const std::string& f : fields) {
    field(f, first);
    first = false;
  }
  out_.put('\n');
}

void CsvWriter::row(std::initializer_list<std::string_view> fields) {
  bool first = true;
  for (const std::string_view f : fields) {
    field(f, first);
    first = false;
  }
  out_.put('\n');
}

}  // namespace podsim::report
