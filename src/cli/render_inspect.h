// Renders an inspect report as text for a terminal or as JSON for scripts.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "plan/home.h"
#include "plan/inspect.h"

namespace cutover::cli {

std::string inspect_text(const std::optional<plan::InspectReport>& db,
                         const std::optional<plan::HomeReport>& home);
nlohmann::json inspect_json(const std::optional<plan::InspectReport>& db,
                            const std::optional<plan::HomeReport>& home);

}  // namespace cutover::cli
