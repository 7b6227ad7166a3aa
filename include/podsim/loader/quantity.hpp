#pragma once
// Kubernetes resource quantities ("500m", "1.5Gi", "1e3"), parsed exactly as
// k8s.io/apimachinery/pkg/api/resource.ParseQuantity does and converted to integers the way
// Quantity.MilliValue() and Quantity.Value() do: rounding up, away from zero.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace podsim::loader {

namespace detail {

/// An exact decimal number: (negative ? -1 : 1) * digits * 10^exponent. `digits` holds the
/// significant decimal digits without leading zeros; it is empty for zero.
struct Decimal {
  bool negative = false;
  std::string digits;
  int exponent = 0;
};

/// A scanned number at the start of a string and the rest of the string (its suffix).
struct ScannedNumber {
  Decimal number;
  std::string_view rest;
};

/// Scans `[+-]?[0-9]*(\.[0-9]*)?` with at least one digit at the start of `text` (a sign only if
/// `allow_sign`). Returns nullopt when there is no digit.
std::optional<ScannedNumber> scan_decimal(std::string_view text, bool allow_sign);

/// |x| * 10^exp10 * 2^exp2 rounded up to an integer, with x's sign (so rounded away from zero);
/// nullopt if it does not fit in int64. 0 <= exp2 <= 60.
std::optional<std::int64_t> scaled_ceil(const Decimal& x, int exp10, int exp2);

/// x * 10^exp10 * 2^exp2 as the nearest double (correctly rounded, then scaled by 2^exp2).
double to_double(const Decimal& x, int exp10, int exp2);

/// The multiplier of a Kubernetes quantity suffix as 10^exp10 * 2^exp2: "" , n, u, m, k, M, G,
/// T, P, E, Ki, Mi, Gi, Ti, Pi, Ei, or a decimal exponent e<N> / E<N>. False if unknown.
bool quantity_suffix(std::string_view suffix, int& exp10, int& exp2);

}  // namespace detail

/// A Kubernetes resource quantity, held exactly.
///
/// Grammar (as Kubernetes): an optional sign, decimal digits with an optional fraction ("1.5",
/// ".5", "2."), then one suffix: decimal SI (n u m "" k M G T P E), binary SI (Ki Mi Gi Ti Pi Ei)
/// or a decimal exponent (e3, E-2, e+6). "K" and "KB"/"GB"/"MiB" are not quantities; the error
/// says what was probably meant. Stricter than Kubernetes in one corner: a sign or "." without
/// digits ("-", ".") is rejected instead of read as zero.
///
/// Example: `Quantity::parse("1.5Gi").value() == 1610612736`,
///          `Quantity::parse("0.1").milli_value() == 100`.
class Quantity {
 public:
  /// Throws std::invalid_argument, e.g. "invalid quantity '12Qi': unknown suffix 'Qi' (...)".
  static Quantity parse(std::string_view text);

  /// The value in thousandths, rounded up away from zero (Quantity.MilliValue()):
  /// "1m" -> 1, "0.0001" -> 1, "-0.0001" -> -1. Throws std::invalid_argument if out of int64.
  std::int64_t milli_value() const;
  /// The value rounded up away from zero (Quantity.Value()): "1.5" -> 2, "1.5Gi" -> 1610612736.
  std::int64_t value() const;
  /// The value as the nearest double.
  double to_double() const;

  bool negative() const { return number_.negative && !number_.digits.empty(); }
  bool is_zero() const { return number_.digits.empty(); }
  /// The text this quantity was parsed from.
  const std::string& text() const { return text_; }

 private:
  std::int64_t scaled(int exp10) const;
  detail::Decimal number_;
  int exp10_ = 0;  // of the suffix
  int exp2_ = 0;   // of the suffix
  std::string text_;
};

/// A CPU request or capacity in millicores ("500m" -> 500, "2" -> 2000, "0.1" -> 100,
/// "0.0001" -> 1). Throws std::invalid_argument for bad or negative input.
std::int64_t parse_cpu_millis(std::string_view text);

/// A memory (or other byte) quantity as a whole number of bytes, rounding fractional bytes up
/// ("128Mi" -> 134217728, "1G" -> 1000000000, "1.5" -> 2). Throws std::invalid_argument for bad
/// or negative input.
std::int64_t parse_memory_bytes(std::string_view text);

}  // namespace podsim::loader
