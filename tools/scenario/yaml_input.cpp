#include "tools/scenario/yaml_input.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "tools/scenario/diagnostics.hpp"

namespace rekeysim::scenario {

namespace {

SourcePos pos_at(const std::string& file, std::string_view text, std::size_t offset) {
  SourcePos pos{file, 1, 1};
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      pos.column = 1;
    } else {
      ++pos.column;
    }
  }
  return pos;
}

// Length of the UTF-8 sequence starting at text[i], or 0 if it is malformed.
std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto c = static_cast<unsigned char>(text[i]);
  std::size_t n = 0;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0 && c >= 0xC2)
    n = 2;
  else if ((c & 0xF0) == 0xE0)
    n = 3;
  else if ((c & 0xF8) == 0xF0 && c <= 0xF4)
    n = 4;
  else
    return 0;
  if (i + n > text.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return 0;
  }
  return n;
}

void check_text(std::string_view text, const std::string& file, const YamlLimits& limits) {
  if (text.size() > limits.max_bytes) {
    // Files are read only to one byte past the limit: their size is not known.
    throw ScenarioError({file, 1, 1}, "file",
                        "is over " + std::to_string(limits.max_bytes) + " bytes long",
                        "a scenario of at most " + std::to_string(limits.max_bytes) + " bytes");
  }
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", c);
      throw ScenarioError(pos_at(file, text, i), "file",
                          std::string("binary data (byte ") + hex + ")", "UTF-8 YAML text");
    }
    const std::size_t n = utf8_length(text, i);
    if (n == 0) {
      throw ScenarioError(pos_at(file, text, i), "file", "invalid UTF-8", "UTF-8 YAML text");
    }
    i += n;
  }
}

// Walks the tree once: bounds nodes visited (aliases are expanded, so an
// alias bomb trips the bound long before memory or time run out), bounds
// depth, and rejects duplicate and non-scalar map keys. `path` is the dotted
// path of `node` ("peers.a.child"), so a duplicate `lifetime` is named
// where it is, not only as `lifetime`.
class Checker {
 public:
  Checker(const std::string& file, const YamlLimits& limits) : file_(file), limits_(limits) {}

  void visit(const YAML::Node& node, int depth, const std::string& path = {}) {
    if (++visited_ > limits_.max_nodes) {
      throw ScenarioError(pos_of(node, file_), "file",
                          "document expands to more than " + std::to_string(limits_.max_nodes) +
                              " nodes (anchors and aliases are expanded)",
                          "a plain scenario without alias chains");
    }
    if (depth > limits_.max_depth) {
      throw ScenarioError(pos_of(node, file_), "file",
                          "nesting deeper than " + std::to_string(limits_.max_depth) + " levels",
                          "a scenario nested a few levels deep");
    }
    if (node.IsSequence()) {
      std::size_t index = 0;
      for (const auto& item : node)
        visit(item, depth + 1, path + "[" + std::to_string(index++) + "]");
    } else if (node.IsMap()) {
      std::map<std::string, int> seen;
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) {
          throw ScenarioError(pos_of(kv.first, file_), "key", "a mapping key must be plain text",
                              "a key like `lifetime`");
        }
        const std::string key = kv.first.Scalar();
        const std::string key_path = path.empty() ? key : path + "." + key;
        const auto [it, inserted] = seen.emplace(key, kv.first.Mark().line + 1);
        if (!inserted) {
          throw ScenarioError(
              pos_of(kv.first, file_), key_path,
              "duplicate key (first given on line " + std::to_string(it->second) + ")",
              "each key once per mapping");
        }
        visit(kv.second, depth + 1, key_path);
      }
    }
  }

 private:
  const std::string& file_;
  const YamlLimits& limits_;
  std::size_t visited_ = 0;
};

}  // namespace

YAML::Node parse_yaml(std::string_view text, const std::string& file, const YamlLimits& limits) {
  check_text(text, file, limits);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    SourcePos pos{file, e.mark.is_null() ? 1 : e.mark.line + 1,
                  e.mark.is_null() ? 1 : e.mark.column + 1};
    throw ScenarioError(pos, "syntax", e.msg, "valid YAML");
  } catch (const std::exception& e) {
    throw ScenarioError({file, 1, 1}, "syntax", e.what(), "valid YAML");
  }
  if (!root.IsDefined() || root.IsNull()) {
    throw ScenarioError({file, 1, 1}, "file", "is empty",
                        "a YAML mapping with at least `peers: {a: ..., b: ...}`");
  }
  Checker(file, limits).visit(root, 0);
  return root;
}

YAML::Node load_yaml_file(const std::string& path, const YamlLimits& limits) {
  // A directory opens on Linux and fails only at the read ("read error").
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw ScenarioError({path, 1, 1}, "file", "is a directory", "a readable YAML file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ScenarioError({path, 1, 1}, "file", "cannot be opened for reading",
                        "a readable YAML file");
  }
  // Read at most one byte past the limit so a huge file is rejected cheaply,
  // in chunks so a small file costs only its size (a buffer of the limit's
  // size was zeroed first: 4 MiB written, ~4 M instructions and 4 MiB of
  // peak memory for every scenario and profile file).
  std::string text;
  std::array<char, 64 * 1024> chunk;  // read into, never read before
  while (text.size() <= limits.max_bytes) {
    const std::size_t want = std::min(chunk.size(), limits.max_bytes + 1 - text.size());
    in.read(chunk.data(), static_cast<std::streamsize>(want));
    text.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
    if (!in) break;  // end of file (or a read error, checked below)
  }
  if (in.bad()) {
    throw ScenarioError({path, 1, 1}, "file", "read error", "a readable YAML file");
  }
  return parse_yaml(text, path, limits);
}

}  // namespace rekeysim::scenario
