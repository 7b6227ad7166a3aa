#include "podsim/model/int_or_percent.hpp"

#include <fmt/format.h>

#include <cmath>

namespace podsim::model {

std::int32_t IntOrPercent::scaled(std::int32_t total, bool round_up) const {
  if (!is_percent_) return int_;
  const double v = percent_ * static_cast<double>(total) / 100.0;
  return static_cast<std::int32_t>(round_up ? std::ceil(v) : std::floor(v));
}

std::string IntOrPercent::str() const {
  if (!is_percent_) return fmt::format("{}", int_);
  return fmt::format("{}%", percent_);
}

}  // namespace podsim::model
