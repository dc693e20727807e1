// Coordinator's minimal version; replaced by the capdialects branch.
#include <fmt/format.h>

#include "capture/capture_dialect.h"

namespace cutover::capture {

std::string install_script(std::string_view dialect, const std::vector<CapturedTable>& tables) {
  const CaptureDialect& cd = capture_dialect(dialect);
  std::string out;
  for (const std::string& s : cd.create_journal()) {
    out += s + cd.script_terminator(s);
  }
  for (const CapturedTable& t : tables) {
    for (const std::string& s : cd.create_triggers(t)) {
      out += s + cd.script_terminator(s);
    }
  }
  return out;
}

std::string remove_script(std::string_view dialect, const std::vector<CapturedTable>& tables) {
  const CaptureDialect& cd = capture_dialect(dialect);
  std::string out;
  for (const CapturedTable& t : tables) {
    for (const std::string& s : cd.drop_triggers(t)) {
      out += s + cd.script_terminator(s);
    }
  }
  for (const std::string& s : cd.drop_journal()) {
    out += s + cd.script_terminator(s);
  }
  return out;
}

}  // namespace cutover::capture
