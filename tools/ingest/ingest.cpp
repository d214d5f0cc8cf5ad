#include "tools/ingest/ingest.hpp"

#include <deque>

#include "tools/ingest/readers.hpp"

namespace rekeysim::ingest {

namespace detail {

std::optional<std::uint32_t> parse_spi(std::string_view t) {
  if (t.starts_with("0x") || t.starts_with("0X")) t.remove_prefix(2);
  if (t.empty() || t.size() > 8) return std::nullopt;
  std::uint32_t v = 0;
  for (char c : t) {
    int d = 0;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return std::nullopt;
    }
    v = v * 16 + static_cast<std::uint32_t>(d);
  }
  return v;
}

}  // namespace detail

namespace {

std::unique_ptr<detail::LineReader> reader_for(Style s, models::PeerId peer) {
  return s == Style::kPanos ? detail::make_panos_reader(peer)
                            : detail::make_strongswan_reader(peer);
}

void count(IngestResult& r, detail::LineUse use, std::uint64_t line_no, const std::string& text) {
  switch (use) {
    case detail::LineUse::kUsed:
      ++r.used;
      break;
    case detail::LineUse::kSkipped:
      ++r.skipped;
      break;
    case detail::LineUse::kUnusable:
      ++r.unusable;
      if (r.first_unusable.size() < 5) r.first_unusable.push_back({line_no, text});
      break;
  }
}

}  // namespace

std::optional<Style> parse_style(std::string_view text) {
  if (text == "panos") return Style::kPanos;
  if (text == "strongswan") return Style::kStrongswan;
  return std::nullopt;
}

std::string_view to_string(Style style) {
  return style == Style::kPanos ? "panos" : "strongswan";
}

IngestResult ingest(std::istream& in, const IngestOptions& options) {
  IngestResult result;
  // Detection looks at the first lines only; they are kept and then fed to
  // the chosen reader, so the input is still read once, line by line.
  std::deque<std::pair<std::uint64_t, std::string>> head;
  std::uint64_t line_no = 0;
  std::string line;
  if (options.style) {
    result.style = *options.style;
  } else {
    std::size_t votes[std::size(kStyles)] = {};
    while (head.size() < options.detect_lines && std::getline(in, line)) {
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      for (std::size_t i = 0; i < std::size(kStyles); ++i) {
        if (reader_for(kStyles[i], options.peer)->looks_like(line)) ++votes[i];
      }
      head.emplace_back(line_no, line);
    }
    std::size_t best = 0;
    for (std::size_t i = 1; i < std::size(kStyles); ++i) {
      if (votes[i] > votes[best]) best = i;
    }
    if (votes[best] == 0) {
      std::string tried;
      for (Style s : kStyles) tried += (tried.empty() ? "" : ", ") + std::string(to_string(s));
      throw IngestError("no line of the first " + std::to_string(head.size()) +
                        " has the shape of a known log style (tried " + tried + ")");
    }
    result.style = kStyles[best];
    result.detected = true;
  }
  auto reader = reader_for(result.style, options.peer);
  auto feed = [&](std::uint64_t n, const std::string& text) {
    if (text.empty()) return;
    ++result.lines;
    count(result, reader->read(text, result), n, text);
  };
  for (const auto& [n, text] : head) feed(n, text);
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    feed(line_no, line);
  }
  return result;
}

}  // namespace rekeysim::ingest
