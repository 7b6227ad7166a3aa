#pragma once
// Bad input, located: the loader's only error type. The CLI prints what() and exits with 2.

#include <stdexcept>
#include <string>

namespace podsim::loader {

struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
};

class LoadError : public std::runtime_error {
 public:
  LoadError(SourceLocation where, const std::string& message)
      : std::runtime_error(format(where, message)), where_(std::move(where)) {}
  const SourceLocation& where() const { return where_; }

 private:
  static std::string format(const SourceLocation& w, const std::string& message) {
    // Appends only: GCC 12 warns falsely (-Wrestrict, PR 105329) on "literal" + std::string.
    std::string out = w.file;
    if (w.line > 0) out.append(":").append(std::to_string(w.line));
    if (w.column > 0) out.append(":").append(std::to_string(w.column));
    return out.append(": ").append(message);
  }
  SourceLocation where_;
};

}  // namespace podsim::loader
