#pragma once
// The report `podsim run` prints: the variants side by side, each metric's mean and the
// half-width of its 95% interval ("812.4 s ± 12.3"), under each compared variant its paired
// relative change against its baseline with the interval ("-63.2% [-65.0, -61.4]"), then per
// variant a bar per stage showing where pod time goes. For people, not scripts: the layout may
// change; scripts read summary.json (or `--format json`, the same text).

#include <string>

#include "podsim/report/summary.hpp"

namespace podsim::report {

/// The report as UTF-8 text ending with a newline. colour adds ANSI colours and bold (the CLI
/// asks for it only on a terminal and without NO_COLOR); without it the text is plain.
std::string terminal_report(const Summary& summary, bool colour = false);

}  // namespace podsim::report
