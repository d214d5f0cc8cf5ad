// What `rekeysim test` prints per case, and the JUnit XML of a whole run.
// Nothing here reads a clock: the same results give the same bytes.
#include <algorithm>

#include "tools/cases/case.hpp"
#include "tools/trace/xml_escape.hpp"

namespace rekeysim::cases {

namespace {

// "A->B X" -> "A --> B  X", "B->A X" -> "A <-- B  X": both ladders keep A on
// the left, as the SVG ladder of `rekeysim trace` does.
std::string ladder_row(const std::string& line) {
  if (line.rfind("A->B ", 0) == 0) return "A --> B  " + line.substr(5);
  if (line.rfind("B->A ", 0) == 0) return "A <-- B  " + line.substr(5);
  return line;
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string position(const SourcePos& p) {
  return (p.file.empty() ? std::string("<input>") : p.file) + ":" +
         std::to_string(std::max(p.line, 1)) + ":" + std::to_string(std::max(p.column, 1));
}

// XML 1.0 allows no control characters but tab and newlines.
std::string xml_text(std::string_view s) {
  std::string clean(s);
  for (char& ch : clean)
    if (static_cast<unsigned char>(ch) < 0x20 && ch != '\n' && ch != '\t' && ch != '\r') ch = '?';
  return trace::xml_escape(clean);
}

}  // namespace

std::string side_by_side(const std::vector<std::string>& expected,
                         const std::vector<std::string>& actual) {
  std::vector<std::string> left, right;
  for (const auto& l : expected) left.push_back(ladder_row(l));
  for (const auto& l : actual) right.push_back(ladder_row(l));
  std::size_t width = std::string("expected").size();
  for (const auto& l : left) width = std::max(width, l.size());
  const std::size_t rows = std::max(left.size(), right.size());
  const std::size_t num = std::to_string(std::max<std::size_t>(rows, 1)).size();
  std::string out = "    " + pad("", num) + "  " + pad("expected", width) + " | actual\n";
  for (std::size_t i = 0; i < rows; ++i) {
    const std::string l = i < left.size() ? left[i] : "";
    const std::string r = i < right.size() ? right[i] : "";
    const bool differs = i >= left.size() || i >= right.size() || expected[i] != actual[i];
    out += differs ? "  ! " : "    ";
    std::string n = std::to_string(i + 1);
    out += pad("", num - n.size()) + n + "  " + pad(l, width) + " | " + r;
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n";
  }
  return out;
}

std::string format_result(const CaseResult& r) {
  std::string out = (r.passed ? "PASS " : "FAIL ") + r.name + "\n";
  if (r.passed) return out;
  for (const auto& f : r.failures) {
    out += "  " + position(f.pos) + ": " + f.field + ": expected " + f.expected + ", got " +
           f.actual + "\n";
  }
  if (r.expected_ladder) {
    out += "  messages, expected and actual (! marks rows that differ):\n";
    out += side_by_side(*r.expected_ladder, r.actual_ladder);
  } else {
    out += "  messages (the case has no `expect: messages`, so only the actual ladder):\n";
    std::size_t i = 0;
    const std::size_t num = std::to_string(std::max<std::size_t>(r.actual_ladder.size(), 1)).size();
    for (const auto& l : r.actual_ladder) {
      const std::string n = std::to_string(++i);
      out += "    " + pad("", num - n.size()) + n + "  " + ladder_row(l) + "\n";
    }
    if (r.actual_ladder.empty()) out += "    (none sent)\n";
  }
  return out;
}

std::string junit_xml(const std::vector<CaseResult>& results) {
  const auto failed =
      std::count_if(results.begin(), results.end(), [](const CaseResult& r) { return !r.passed; });
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  const std::string counts = " tests=\"" + std::to_string(results.size()) + "\" failures=\"" +
                             std::to_string(failed) + "\" errors=\"0\" skipped=\"0\" time=\"0\"";
  out += "<testsuites name=\"rekeysim test\"" + counts + ">\n";
  out += "  <testsuite name=\"rekeysim test\"" + counts + ">\n";
  for (const auto& r : results) {
    out += "    <testcase name=\"" + xml_text(r.name) + "\" classname=\"" + xml_text(r.file) +
           "\" time=\"0\"";
    if (r.passed) {
      out += "/>\n";
      continue;
    }
    std::string first = r.failures.empty() ? std::string("failed")
                                           : r.failures.front().field + ": expected " +
                                                 r.failures.front().expected + ", got " +
                                                 r.failures.front().actual;
    std::replace(first.begin(), first.end(), '\n', ' ');
    out += ">\n      <failure message=\"" + xml_text(first) + "\" type=\"expectation\">" +
           xml_text(format_result(r)) + "</failure>\n    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

}  // namespace rekeysim::cases
