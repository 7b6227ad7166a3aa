#pragma once
// Kubernetes' IntOrString for the fields users write as "3" or "25%": maxSurge, maxUnavailable,
// partition. Scaling a percentage against a replica count rounds up or down depending on the
// field (domain-reference §1.1 and §2.2); the caller says which.
//
//   IntOrPercent s = IntOrPercent::percent(25);
//   s.scaled(10, /*round_up=*/true);   // 3   (ceil 2.5)
//   s.scaled(10, /*round_up=*/false);  // 2   (floor 2.5)

#include <cstdint>
#include <string>

namespace podsim::model {

class IntOrPercent {
 public:
  /// 0 (an integer).
  constexpr IntOrPercent() = default;
  static constexpr IntOrPercent integer(std::int32_t v) { return IntOrPercent(v, 0, false); }
  /// `p` percent; Kruise accepts fractional percentages ("12.5%"), Kubernetes only whole ones
  /// (the loader checks that per field).
  static constexpr IntOrPercent percent(double p) { return IntOrPercent(0, p, true); }

  constexpr bool is_percent() const { return is_percent_; }
  constexpr std::int32_t int_value() const { return int_; }
  constexpr double percent_value() const { return percent_; }

  /// intstr.GetScaledValueFromIntOrPercent: an integer as is; a percentage p of `total` as
  /// ceil(p * total / 100) or floor(p * total / 100), computed in double as the Go code does.
  std::int32_t scaled(std::int32_t total, bool round_up) const;

  /// As a user writes it: "3" or "25%".
  std::string str() const;

  friend constexpr bool operator==(const IntOrPercent&, const IntOrPercent&) = default;

 private:
  constexpr IntOrPercent(std::int32_t i, double p, bool is_p)
      : int_(i), percent_(p), is_percent_(is_p) {}
  std::int32_t int_ = 0;
  double percent_ = 0;
  bool is_percent_ = false;
};

}  // namespace podsim::model
