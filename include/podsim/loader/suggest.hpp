#pragma once
// "Did you mean ...?" for misspelt keys and enum values.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace podsim::loader {

/// The Damerau-Levenshtein distance (optimal string alignment: insertions, deletions,
/// substitutions and transpositions of adjacent characters, each costing 1).
/// Example: `edit_distance("maxUnavailble", "maxUnavailable") == 1`.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate that `word` most likely misspells, or nullopt: first a case-insensitive match,
/// then the nearest candidate within edit distance 2 (and less than the length of `word`), then
/// a candidate that `word` is a prefix of or that is a prefix of `word` (3 characters or more).
/// Ties go to the earlier candidate.
/// Example: `did_you_mean("maxUnavailble", {"maxSurge", "maxUnavailable"}) == "maxUnavailable"`.
std::optional<std::string> did_you_mean(std::string_view word,
                                        std::span<const std::string_view> candidates);

/// "a, b, c": the candidates joined for an "allowed: ..." list.
std::string join(std::span<const std::string_view> items, std::string_view separator = ", ");

}  // namespace podsim::loader
