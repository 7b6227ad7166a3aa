#include "podsim/loader/quantity.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>

namespace podsim::loader {
namespace detail {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Doubles a decimal digit string in place (most significant digit first).
void double_digits(std::string& digits) {
  int carry = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    const int d = (*it - '0') * 2 + carry;
    *it = static_cast<char>('0' + d % 10);
    carry = d / 10;
  }
  if (carry) digits.insert(digits.begin(), static_cast<char>('0' + carry));
}

struct Suffix {
  std::string_view name;
  int exp10;
  int exp2;
};

constexpr std::array<Suffix, 16> kSuffixes{{
    {"n", -9, 0},
    {"u", -6, 0},
    {"m", -3, 0},
    {"", 0, 0},
    {"k", 3, 0},
    {"M", 6, 0},
    {"G", 9, 0},
    {"T", 12, 0},
    {"P", 15, 0},
    {"E", 18, 0},
    {"Ki", 0, 10},
    {"Mi", 0, 20},
    {"Gi", 0, 30},
    {"Ti", 0, 40},
    {"Pi", 0, 50},
    {"Ei", 0, 60},
}};

}  // namespace

std::optional<ScannedNumber> scan_decimal(std::string_view text, bool allow_sign) {
  Decimal out;
  std::size_t pos = 0;
  if (allow_sign && pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    out.negative = text[pos] == '-';
    ++pos;
  }
  std::string digits;
  bool any_digit = false;
  while (pos < text.size() && is_digit(text[pos])) digits += text[pos++], any_digit = true;
  int fraction_digits = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && is_digit(text[pos])) {
      digits += text[pos++];
      ++fraction_digits;
      any_digit = true;
    }
  }
  if (!any_digit) return std::nullopt;
  const auto first = digits.find_first_not_of('0');
  if (first == std::string::npos) {
    digits.clear();
    fraction_digits = 0;
  } else {
    digits.erase(0, first);
    // Trailing zeros only lengthen the arithmetic: move them into the exponent.
    const auto last = digits.find_last_not_of('0');
    const auto trailing = static_cast<int>(digits.size() - last - 1);
    digits.erase(last + 1);
    fraction_digits -= trailing;
  }
  out.digits = std::move(digits);
  out.exponent = -fraction_digits;
  return ScannedNumber{std::move(out), text.substr(pos)};
}

std::optional<std::int64_t> scaled_ceil(const Decimal& x, int exp10, int exp2) {
  if (x.digits.empty()) return 0;
  std::string digits = x.digits;
  for (int i = 0; i < exp2; ++i) double_digits(digits);
  const long long e = static_cast<long long>(x.exponent) + exp10;
  const auto n = static_cast<long long>(digits.size());
  if (n + e > 19) return std::nullopt;  // at least 10^19 > int64 max
  std::string integer;
  bool fraction = false;
  if (e >= 0) {
    integer = digits + std::string(static_cast<std::size_t>(e), '0');
  } else if (-e >= n) {
    integer = "0";
    fraction = true;  // digits has no leading zeros, so it is not zero
  } else {
    integer = digits.substr(0, static_cast<std::size_t>(n + e));
    fraction = digits.find_first_not_of('0', static_cast<std::size_t>(n + e)) != std::string::npos;
  }
  std::uint64_t magnitude = 0;
  const auto [ptr, ec] =
      std::from_chars(integer.data(), integer.data() + integer.size(), magnitude);
  if (ec != std::errc{}) return std::nullopt;
  if (fraction) ++magnitude;
  if (magnitude > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return std::nullopt;
  }
  const auto value = static_cast<std::int64_t>(magnitude);
  return x.negative ? -value : value;
}

double to_double(const Decimal& x, int exp10, int exp2) {
  if (x.digits.empty()) return 0;
  const std::string text =
      fmt::format("{}e{}", x.digits, static_cast<long long>(x.exponent) + exp10);
  double value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc::result_out_of_range) {
    // Underflow to 0 or overflow to infinity: tell them apart by the decimal exponent.
    value = static_cast<long long>(x.digits.size()) + x.exponent + exp10 > 0
                ? std::numeric_limits<double>::infinity()
                : 0.0;
  }
  value = std::ldexp(value, exp2);
  return x.negative ? -value : value;
}

bool quantity_suffix(std::string_view suffix, int& exp10, int& exp2) {
  for (const auto& s : kSuffixes) {
    if (s.name == suffix) {
      exp10 = s.exp10;
      exp2 = s.exp2;
      return true;
    }
  }
  // A decimal exponent: e or E, an optional sign, at least one digit ("1E" alone is exa).
  if (suffix.size() < 2 || (suffix[0] != 'e' && suffix[0] != 'E')) return false;
  std::string_view rest = suffix.substr(1);
  bool negative = false;
  if (rest[0] == '+' || rest[0] == '-') {
    negative = rest[0] == '-';
    rest.remove_prefix(1);
  }
  if (rest.empty() || rest.size() > 4) return false;  // |exponent| < 10^4 is plenty
  int value = 0;
  for (const char c : rest) {
    if (!is_digit(c)) return false;
    value = value * 10 + (c - '0');
  }
  exp10 = negative ? -value : value;
  exp2 = 0;
  return true;
}

}  // namespace detail

namespace {

constexpr std::string_view kSuffixHelp =
    "use n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent such as e3";

// What the author of a bad suffix probably meant, or "".
std::string suffix_hint(std::string_view suffix) {
  int e10 = 0, e2 = 0;
  if (suffix == "K") return "did you mean 'k' (10^3) or 'Ki' (2^10)?";
  std::string candidate(suffix);
  if (!candidate.empty() && (candidate.back() == 'B' || candidate.back() == 'b')) {
    candidate.pop_back();  // "GB" -> "G", "MiB" -> "Mi"
    if (candidate == "K") candidate = "k";
    if (!candidate.empty() && detail::quantity_suffix(candidate, e10, e2)) {
      return fmt::format("quantities have no 'B': did you mean '{}'?", candidate);
    }
  }
  if (suffix.size() == 2 && suffix[1] == 'i') {  // "gi" -> "Gi"
    candidate = suffix;
    candidate[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(candidate[0])));
    if (detail::quantity_suffix(candidate, e10, e2)) {
      return fmt::format("did you mean '{}'?", candidate);
    }
  }
  return std::string(kSuffixHelp);
}

[[noreturn]] void bad_quantity(std::string_view text, std::string_view reason) {
  throw std::invalid_argument(fmt::format("invalid quantity '{}': {}", text, reason));
}

}  // namespace

Quantity Quantity::parse(std::string_view text) {
  if (text.empty()) bad_quantity(text, "empty; expected a number such as 500m, 2, 1.5Gi or 1e3");
  auto scanned = detail::scan_decimal(text, /*allow_sign=*/true);
  if (!scanned) {
    bad_quantity(text, "expected a number with an optional suffix, such as 500m, 2, 1.5Gi or 1e3");
  }
  const std::string_view suffix = scanned->rest;
  if (!suffix.empty() && suffix[0] == '.') bad_quantity(text, "malformed number");
  Quantity q;
  if (!detail::quantity_suffix(suffix, q.exp10_, q.exp2_)) {
    bad_quantity(text, fmt::format("unknown suffix '{}' ({})", suffix, suffix_hint(suffix)));
  }
  q.number_ = std::move(scanned->number);
  q.text_ = std::string(text);
  return q;
}

std::int64_t Quantity::scaled(int exp10) const {
  const auto v = detail::scaled_ceil(number_, exp10_ + exp10, exp2_);
  if (!v) bad_quantity(text_, "too large (does not fit in a 64-bit integer)");
  return *v;
}

std::int64_t Quantity::milli_value() const {
  return scaled(3);
}
std::int64_t Quantity::value() const {
  return scaled(0);
}
double Quantity::to_double() const {
  return detail::to_double(number_, exp10_, exp2_);
}

std::int64_t parse_cpu_millis(std::string_view text) {
  const Quantity q = Quantity::parse(text);
  if (q.negative()) bad_quantity(text, "must not be negative");
  return q.milli_value();
}

std::int64_t parse_memory_bytes(std::string_view text) {
  const Quantity q = Quantity::parse(text);
  if (q.negative()) bad_quantity(text, "must not be negative");
  return q.value();
}

}  // namespace podsim::loader
