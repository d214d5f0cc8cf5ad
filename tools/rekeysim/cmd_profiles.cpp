// `rekeysim profiles [NAME | FILE.yaml]`: the builtin vendor profiles.
// Without NAME a table of key figures; with NAME every peer key with its
// value and, where the profile documents it, the source and whether it is
// confirmed, then the lifetime rules (how the rekey margin follows a
// configured lifetime); with a profile file (`base:` + overrides, as a
// scenario's `profile:` may name) the same for the user's own profile, each
// key set by the file shown as "file" with its line.
#include <iostream>
#include <map>

#include "models/profiles/lifetime_rules.hpp"
#include "models/profiles/profile.hpp"
#include "tools/rekeysim/common.hpp"
#include "tools/scenario/peer_keys.hpp"
#include "tools/scenario/peer_map.hpp"
#include "tools/scenario/profile_file.hpp"
#include "tools/scenario/yaml_input.hpp"

namespace rekeysim::cli {

namespace {

std::string pad(std::string s, std::size_t w) {
  if (s.size() < w) s.append(w - s.size(), ' ');
  return s + " ";
}

std::string_view status_text(models::SourceStatus s) {
  return s == models::SourceStatus::kConfirmed ? "confirmed" : "assumption";
}

int list_profiles() {
  const char* keys[] = {"child.lifetime",
                        "child.margin",
                        "child.fuzz",
                        "child.tick",
                        "ike.lifetime",
                        "behaviour.collision_resolution",
                        "behaviour.unknown_spi",
                        "behaviour.responder_switch"};
  const std::size_t widths[] = {14, 14, 12, 10, 10, 12, 20, 11, 16};
  std::string head = pad("name", widths[0]);
  for (std::size_t i = 0; i < std::size(keys); ++i) {
    std::string k = keys[i];
    if (k.starts_with("behaviour.")) k = k.substr(10);
    head += pad(k, widths[i + 1]);
  }
  std::cout << head << "description\n";
  for (const auto& p : models::builtin_profiles()) {
    std::string line = pad(p.name, widths[0]);
    for (std::size_t i = 0; i < std::size(keys); ++i) {
      line += pad(scenario::format_peer_field(p.config, keys[i]), widths[i + 1]);
    }
    std::cout << line << p.description << "\n";
  }
  std::cout << "\n`rekeysim profiles NAME` lists every field with its source.\n";
  return kExitOk;
}

// A user's profile file: validated by the scenario loader's own reader, so
// an error here is the error a scenario naming the file would give.
int show_profile_file(const std::string& path) {
  scenario::Setting where;
  where.path = "profile";
  where.value = YAML::Node(path);
  where.pos.file = "<command line>";
  where.pos.line = 1;
  where.pos.column = 1;
  where.dir = ".";
  const models::PeerConfig config = scenario::load_profile_file(where, path);
  const std::string file = scenario::profile_key(".", path);
  const YAML::Node root = scenario::load_yaml_file(file);
  const std::string base_name = root["base"].Scalar();
  const models::Profile* base = models::find_builtin_profile(base_name);
  std::map<std::string, int> set_at;  // key path -> line in the file
  for (const auto& e :
       scenario::flatten_peer_map(root, file, "profile", {"base", "name", "description"})) {
    set_at[e.path] = scenario::pos_of(e.key, file).line;
  }
  std::cout << config.profile << ": profile file " << file << "\n";
  if (const YAML::Node d = root["description"]) std::cout << d.Scalar() << "\n";
  std::cout << "base: " << base_name << "\n";
  std::cout << "\n" << pad("key", 38) << pad("value", 22) << pad("status", 11) << "source / note\n";
  for (const auto& key : scenario::peer_keys()) {
    if (key.path == "profile") continue;
    const std::string value = key.format(config);
    std::string status = "default";
    std::string source = "inherited from " + base_name;
    if (auto it = set_at.find(std::string(key.path)); it != set_at.end()) {
      status = "file";
      source = file + ":" + std::to_string(it->second);
    } else if (base != nullptr) {
      for (const auto& f : base->fields) {
        if (f.key != key.path) continue;
        status = std::string(status_text(f.status));
        source = f.source + " (" + base_name + ")";
      }
    }
    std::cout << pad(std::string(key.path), 38) << pad(value, 22) << pad(status, 11) << source
              << "\n";
  }
  // The lifetime rules as for a builtin: the base vendor's, with the file's
  // values; a margin the file sets has no vendor status or source.
  if (base != nullptr) {
    models::Profile mine = *base;
    mine.config = config;
    std::erase_if(mine.fields, [&](const models::ProfileField& f) {
      return (f.key == "child.margin" || f.key == "ike.margin") && set_at.contains(f.key);
    });
    std::cout << "\n" << models::format_lifetime_rules(mine);
    for (const char* k : {"child.lifetime", "child.margin", "child.fuzz", "ike.lifetime",
                          "ike.margin", "ike.fuzz"}) {
      if (auto it = set_at.find(k); it != set_at.end())
        std::cout << "  " << k << " set by " << file << ":" << it->second << "\n";
    }
  }
  return kExitOk;
}

int show_profile(const std::string& name) {
  if (scenario::looks_like_profile_path(name)) return show_profile_file(name);
  const models::Profile* p = models::find_builtin_profile(name);
  if (p == nullptr) {
    std::vector<std::string> names;
    for (const auto& b : models::builtin_profiles()) names.push_back(b.name);
    throw scenario::ScenarioError(
        {"<command line>", 1, 1}, "profiles",
        "unknown profile " + scenario::quoted_with_suggestion(name, names),
        "one of " + scenario::join(names));
  }
  std::cout << p->name << ": " << p->description << "\n";
  if (!p->base.empty()) std::cout << "base: " << p->base << "\n";
  std::cout << "\n" << pad("key", 38) << pad("value", 22) << pad("status", 11) << "source / note\n";
  for (const auto& key : scenario::peer_keys()) {
    const std::string value = key.format(p->config);
    const models::ProfileField* field = nullptr;
    for (const auto& f : p->fields) {
      if (f.key == key.path) field = &f;
    }
    std::string status = "default";
    std::string source = p->base.empty() ? "RFC 7296 default" : "inherited from " + p->base;
    if (field != nullptr) {
      status = std::string(status_text(field->status));
      source = field->source;
      if (!field->note.empty()) source += " -- " + field->note;
    }
    std::cout << pad(std::string(key.path), 38) << pad(value, 22) << pad(status, 11) << source
              << "\n";
  }
  // How the margin follows a lifetime the user sets, per SA kind (issue 11).
  std::cout << "\n" << models::format_lifetime_rules(*p);
  return kExitOk;
}

}  // namespace

Command add_profiles_command(CLI::App& root) {
  auto name = std::make_shared<std::string>();
  CLI::App* sub = root.add_subcommand(
      "profiles", "list the builtin vendor profiles, or show one (builtin or a profile file)");
  sub->add_option("name", *name,
                  "a profile to show field by field: a builtin name or a profile YAML file "
                  "(`base:` + peer keys)");
  sub->footer(
      "Example:\n"
      "  rekeysim profiles\n"
      "  rekeysim profiles panos\n"
      "  rekeysim profiles profiles/our-hub.yaml\n"
      "Exit status: 0 ok, 2 unknown profile or a bad profile file (file:line:column).");
  return {sub, [name] { return name->empty() ? list_profiles() : show_profile(*name); }};
}

}  // namespace rekeysim::cli
