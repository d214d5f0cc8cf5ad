#include "models/outcome.hpp"

namespace models {

namespace {
constexpr std::array<std::string_view, kOutcomeCount> kNames = {
    "child_rekeys", "collisions",    "cant_find_sa",  "esp_dropped", "outages",
    "downtime",     "redundant_sas", "tunnel_resets", "ike_rekeys",  "ike_collisions",
    "no_sa",        "cleartext",     "esp_link_down"};
}  // namespace

std::string_view outcome_name(Outcome o) {
  return kNames[static_cast<std::size_t>(o)];
}

bool outcome_from_name(std::string_view name, Outcome& out) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) {
      out = static_cast<Outcome>(i);
      return true;
    }
  }
  return false;
}

}  // namespace models
