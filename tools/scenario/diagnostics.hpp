// Errors a user can act on (architecture principle 4): every problem in a
// scenario, a profile file or a --set override is reported as
//   file:line:column: error: <field>: <what>; expected <form>
// with 1-based line and column, and the command line exits with status 2.
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace YAML {
class Node;
}

namespace rekeysim::scenario {

// Where a value was written. line/column are 1-based; 0 means "unknown"
// (then the file's first position is printed, so the form stays parseable).
struct SourcePos {
  std::string file;
  int line = 0;
  int column = 0;
};

// The position of a YAML node in `file` (yaml-cpp marks are 0-based).
SourcePos pos_of(const YAML::Node& node, const std::string& file);

class ScenarioError : public std::runtime_error {
 public:
  ScenarioError(SourcePos pos, std::string field, std::string what, std::string expected);

  const SourcePos& pos() const { return pos_; }
  const std::string& field() const { return field_; }
  const std::string& problem() const { return what_; }
  const std::string& expected() const { return expected_; }

 private:
  SourcePos pos_;
  std::string field_;
  std::string what_;
  std::string expected_;
};

// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);
// The closest candidate when it is close enough to be a plausible typo
// (distance <= max(2, len/3)), else "".
std::string closest_match(std::string_view word, std::span<const std::string> candidates);
// `"x" (did you mean "y"?)` or `"x"`.
std::string quoted_with_suggestion(std::string_view word, std::span<const std::string> candidates);
// "a, b, c" (for "expected one of ...").
std::string join(std::span<const std::string> items, std::string_view sep = ", ");

}  // namespace rekeysim::scenario
