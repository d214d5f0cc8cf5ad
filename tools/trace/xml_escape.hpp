// Text for SVG/XML: the one escaping routine both SVG writers (the ladder
// diagram and the sweep plot) use.
#pragma once

#include <string>
#include <string_view>

namespace rekeysim::trace {

inline std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    switch (ch) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

}  // namespace rekeysim::trace
