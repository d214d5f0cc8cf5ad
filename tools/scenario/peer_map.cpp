#include "tools/scenario/peer_map.hpp"

#include "tools/scenario/diagnostics.hpp"
#include "tools/scenario/peer_keys.hpp"

namespace rekeysim::scenario {

namespace {

// Names valid directly under `prefix` ("" = the peer itself): leaf keys and groups.
std::vector<std::string> names_under(const std::string& prefix) {
  std::vector<std::string> out;
  const std::string head = prefix.empty() ? "" : prefix + ".";
  for (const auto& k : peer_keys()) {
    const std::string_view p = k.path;
    if (!p.starts_with(head)) continue;
    const std::string_view rest = p.substr(head.size());
    const std::string first(rest.substr(0, rest.find('.')));
    bool seen = false;
    for (const auto& o : out) seen = seen || o == first;
    if (!seen) out.push_back(first);
  }
  return out;
}

void walk(const YAML::Node& map, const std::string& file, const std::string& field,
          const std::string& prefix, const std::vector<std::string>& extra,
          std::vector<PeerEntry>& out) {
  if (!map.IsMap()) {
    throw ScenarioError(pos_of(map, file), field, map.IsNull() ? "is empty" : "is not a mapping",
                        "a mapping of keys like {lifetime: 8h, margin: 9m}");
  }
  for (const auto& kv : map) {
    const std::string k = kv.first.Scalar();
    if (prefix.empty()) {
      bool handled = false;
      for (const auto& e : extra) handled = handled || e == k;
      if (handled) continue;
    }
    const std::string path = prefix.empty() ? k : prefix + "." + k;
    const std::string full = field + "." + k;
    if (const PeerKey* key = find_peer_key(path)) {
      out.push_back({std::string(key->path), kv.first, kv.second});
    } else if (is_peer_key_group(path)) {
      walk(kv.second, file, full, path, extra, out);
    } else {
      std::vector<std::string> names = names_under(prefix);
      if (prefix.empty()) names.insert(names.end(), extra.begin(), extra.end());
      std::vector<std::string> candidates = names;
      for (const auto& p : peer_key_paths()) candidates.push_back(p);
      throw ScenarioError(pos_of(kv.first, file), full,
                          "unknown key " + quoted_with_suggestion(k, candidates),
                          "one of " + join(names));
    }
  }
}

}  // namespace

std::vector<PeerEntry> flatten_peer_map(const YAML::Node& map, const std::string& file,
                                        const std::string& field,
                                        const std::vector<std::string>& allowed_extra) {
  std::vector<PeerEntry> out;
  walk(map, file, field, "", allowed_extra, out);
  return out;
}

}  // namespace rekeysim::scenario
