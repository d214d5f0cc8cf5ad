#include "models/profiles/profile_report.hpp"

#include "models/profiles/lifetime_rules.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace models {

namespace {

std::string field_value(const Profile& p, std::string_view key) {
  for (const ProfileField& f : p.fields) {
    if (f.key == key) return f.value;
  }
  return "-";
}

std::string pad(const std::string& s, std::size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

}  // namespace

std::string format_profile_table(std::span<const Profile> profiles) {
  struct Column {
    const char* header;
    const char* key;  // nullptr: computed
  };
  static constexpr std::array<Column, 11> kColumns = {{
      {"profile", nullptr},
      {"child.lifetime", "child.lifetime"},
      {"margin", "child.margin"},
      {"fuzz", "child.fuzz"},
      {"ike.lifetime", "ike.lifetime"},
      {"collision", "behaviour.collision_resolution"},
      {"responder_switch", "behaviour.responder_switch"},
      {"unknown_spi", "behaviour.unknown_spi"},
      {"crossing_delete", "behaviour.crossing_delete"},
      {"keep", "behaviour.inbound_keep_delay"},
      {"confirmed", nullptr},
  }};
  std::vector<std::array<std::string, kColumns.size()>> rows;
  for (const Profile& p : profiles) {
    std::array<std::string, kColumns.size()> row;
    for (std::size_t c = 0; c < kColumns.size(); ++c) {
      if (kColumns[c].key != nullptr) row[c] = field_value(p, kColumns[c].key);
    }
    row[0] = p.name;
    const auto confirmed =
        std::count_if(p.fields.begin(), p.fields.end(),
                      [](const ProfileField& f) { return f.status == SourceStatus::kConfirmed; });
    row.back() = std::to_string(confirmed) + "/" + std::to_string(p.fields.size());
    rows.push_back(row);
  }
  std::array<std::size_t, kColumns.size()> width{};
  for (std::size_t c = 0; c < kColumns.size(); ++c) {
    width[c] = std::string_view(kColumns[c].header).size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  std::string out;
  auto emit = [&](const std::array<std::string, kColumns.size()>& cells) {
    std::string line;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      line += c + 1 == cells.size() ? cells[c] : pad(cells[c], width[c] + 2);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  };
  std::array<std::string, kColumns.size()> header;
  for (std::size_t c = 0; c < kColumns.size(); ++c) header[c] = kColumns[c].header;
  emit(header);
  for (const auto& row : rows) emit(row);
  return out;
}

std::string format_profile_detail(const Profile& p) {
  std::string out = p.name + ": " + p.description;
  if (!p.base.empty()) out += " (base: " + p.base + ")";
  out += "\n";
  std::size_t key_width = 0;
  for (const ProfileField& f : p.fields) key_width = std::max(key_width, f.key.size());
  for (const ProfileField& f : p.fields) {
    out += "  " + pad(f.key, key_width) + " = " + f.value + "  [" +
           std::string(to_string(f.status)) + "]\n";
    out += "      source: " + f.source + "\n";
    if (!f.note.empty()) out += "      note:   " + f.note + "\n";
  }
  out += format_lifetime_rules(p);
  return out;
}

}  // namespace models
