#include "tools/scenario/diagnostics.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <vector>

namespace rekeysim::scenario {

namespace {
std::string format_message(const SourcePos& pos, const std::string& field, const std::string& what,
                           const std::string& expected) {
  // Unknown positions still print as 1:1 so that every message has the same
  // machine-readable shape (editors jump to file:line:column).
  std::string out = pos.file.empty() ? std::string("<input>") : pos.file;
  out.append(":").append(std::to_string(pos.line > 0 ? pos.line : 1));
  out.append(":").append(std::to_string(pos.column > 0 ? pos.column : 1));
  out.append(": error: ");
  if (!field.empty()) out.append(field).append(": ");
  out.append(what);
  if (!expected.empty()) out.append("; expected ").append(expected);
  return out;
}
}  // namespace

SourcePos pos_of(const YAML::Node& node, const std::string& file) {
  SourcePos pos{file, 0, 0};
  if (!node.IsDefined()) return pos;
  const YAML::Mark m = node.Mark();
  if (m.is_null()) return pos;
  pos.line = m.line + 1;
  pos.column = m.column + 1;
  return pos;
}

ScenarioError::ScenarioError(SourcePos pos, std::string field, std::string what,
                             std::string expected)
    : std::runtime_error(format_message(pos, field, what, expected)),
      pos_(std::move(pos)),
      field_(std::move(field)),
      what_(std::move(what)),
      expected_(std::move(expected)) {}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + cost});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string closest_match(std::string_view word, std::span<const std::string> candidates) {
  std::string best;
  std::size_t best_d = std::string_view::npos;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  return best_d <= limit ? best : std::string();
}

std::string quoted_with_suggestion(std::string_view word, std::span<const std::string> candidates) {
  std::string out;
  out.append("\"").append(word).append("\"");
  const std::string best = closest_match(word, candidates);
  if (!best.empty()) out.append(" (did you mean \"").append(best).append("\"?)");
  return out;
}

std::string join(std::span<const std::string> items, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += sep;
    out += items[i];
  }
  return out;
}

}  // namespace rekeysim::scenario
