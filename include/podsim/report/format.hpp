#pragma once
// Number formats the reports share, so that a value reads the same in every file: times as
// seconds with exactly nine decimals (exact to the simulator's nanosecond), everything else in
// the shortest text that reads back to the same double.

#include <cstdint>
#include <string>

namespace podsim::report {

/// Seconds rounded to the nearest nanosecond; times come from integer nanoseconds, so this
/// recovers them exactly for any run shorter than about 100 days.
std::int64_t to_nanoseconds(double seconds);

/// Nanoseconds as seconds with nine decimals: 1500000001 -> "1.500000001", -250 -> "-0.000000250".
std::string format_ns(std::int64_t ns);

/// Seconds with nine decimals via to_nanoseconds ("12.000000000"); "" for NaN and infinities
/// (an empty CSV field is what spreadsheets and pandas read as missing).
std::string fixed_seconds(double seconds);

/// The shortest text that reads back to x, without a trailing ".0" ("3", "0.125", "1e+20");
/// "" for NaN and infinities.
std::string shortest(double x);

}  // namespace podsim::report
