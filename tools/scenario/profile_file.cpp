#include "tools/scenario/profile_file.hpp"

#include <filesystem>
#include <fstream>

#include "models/profiles/profile.hpp"
#include "tools/scenario/peer_keys.hpp"
#include "tools/scenario/peer_map.hpp"
#include "tools/scenario/values.hpp"
#include "tools/scenario/yaml_input.hpp"

namespace rekeysim::scenario {

bool looks_like_profile_path(const std::string& value) {
  return value.find('/') != std::string::npos || value.ends_with(".yaml") ||
         value.ends_with(".yml");
}

std::string profile_key(const std::string& dir, const std::string& value) {
  std::filesystem::path p(value);
  if (p.is_relative()) p = std::filesystem::path(dir.empty() ? "." : dir) / p;
  return p.lexically_normal().string();
}

std::optional<std::string> profile_file_of(const Setting& setting) {
  if (!setting.path.ends_with(".profile") || !setting.value.IsScalar() ||
      !looks_like_profile_path(setting.value.Scalar()))
    return std::nullopt;
  return profile_key(setting.dir, setting.value.Scalar());
}

models::PeerConfig load_profile_file(const Setting& setting, const std::string& value) {
  const std::string path = profile_key(setting.dir, value);
  {
    std::ifstream probe(path);
    std::error_code ec;
    const bool directory = std::filesystem::is_directory(path, ec);
    if (!probe || directory) {
      throw ScenarioError(
          setting.pos, setting.path,
          "profile file \"" + path + "\" " + (directory ? "is a directory" : "cannot be read"),
          "a builtin profile name (rekeysim profiles) or a readable profile YAML file");
    }
  }
  const YAML::Node root = load_yaml_file(path);
  if (!root.IsMap()) {
    throw ScenarioError(pos_of(root, path), "profile", "is not a mapping",
                        "a mapping with `base: <builtin profile>` and peer keys");
  }
  const YAML::Node base = root["base"];
  if (!base) {
    throw ScenarioError({path, 1, 1}, "base", "missing",
                        "`base: <builtin profile>` naming the profile this one overrides");
  }
  const std::string base_name = scalar_text({base, path, "base"}, "a builtin profile name");
  const models::Profile* builtin = models::find_builtin_profile(base_name);
  if (builtin == nullptr) {
    std::vector<std::string> names;
    for (const auto& b : models::builtin_profiles()) names.push_back(b.name);
    throw ScenarioError(pos_of(base, path), "base",
                        "unknown profile " + quoted_with_suggestion(base_name, names),
                        "one of " + join(names));
  }
  models::PeerConfig config = builtin->config;
  config.profile = std::filesystem::path(path).stem().string();
  if (const YAML::Node name = root["name"])
    config.profile = scalar_text({name, path, "name"}, "a profile name");
  for (const auto& e : flatten_peer_map(root, path, "profile", {"base", "name", "description"})) {
    const PeerKey* key = find_peer_key(e.path);
    if (key->kind == ValueKind::kProfile) {
      throw ScenarioError(pos_of(e.key, path), e.path, "a profile file cannot name another profile",
                          "`base: <builtin profile>` instead");
    }
    key->read(ValueContext{e.value, path, e.path}, config);
  }
  return config;
}

}  // namespace rekeysim::scenario
