// The profile field keys and how a field's scenario-syntax value sets a
// PeerConfig. Profiles are written as these strings, so what a person reads
// in `rekeysim profiles` is exactly what the simulation runs with.
#include <array>
#include <charconv>
#include <stdexcept>
#include <string>

#include "models/profiles/profile.hpp"

namespace models {

namespace {

constexpr std::string_view kKeys[] = {
    "child.lifetime",
    "child.margin",
    "child.fuzz",
    "child.fuzz_quantum",
    "child.responder_margin_scale",
    "child.responder_fuzz",
    "child.tick",
    "child.lifetime_bytes",
    "child.lifetime_packets",
    "child.volume_margin",
    "ike.lifetime",
    "ike.margin",
    "ike.fuzz",
    "ike.fuzz_quantum",
    "ike.responder_margin_scale",
    "ike.responder_fuzz",
    "ike.tick",
    "ike.lifetime_bytes",
    "ike.lifetime_packets",
    "ike.volume_margin",
    "clock_error",
    "processing_delay",
    "processing_delay_ke",
    "processing_delay_informational",
    "timer_lateness",
    "initiation_delay",
    "behaviour.collision_resolution",
    "behaviour.unknown_spi",
    "behaviour.crossing_delete",
    "behaviour.responder_switch",
    "behaviour.ike_collision_winner",
    "behaviour.start_action",
    "behaviour.no_sa_policy",
    "behaviour.old_sa_delete_delay",
    "behaviour.inbound_keep_delay",
    "behaviour.retry_min",
    "behaviour.retry_max",
    "behaviour.redundant_ike_timeout",
    "behaviour.ike_rekey_forced_delete",
    "behaviour.reestablish_delay",
    "behaviour.retransmit.timeout",
    "behaviour.retransmit.base",
    "behaviour.retransmit.tries",
    "behaviour.retransmit.cap",
    "behaviour.retransmit.jitter",
    "behaviour.temp_failure_in_collision",
    "behaviour.max_child_sas",
    "behaviour.child_pfs",
    "behaviour.responder_deletes_old",
    "behaviour.rekey_vs_delete",
    "behaviour.worker_race_window",
    "behaviour.reauth_time",
    "behaviour.reauth_mode",
    "behaviour.reauth_retry_interval",
    "behaviour.reauth_tries",
    "behaviour.duplicate_ike_sa",
    "behaviour.duplicate_ike_delete_delay",
    "log_style",
};

constexpr std::string_view kLogStyles[] = {"plain",     "panos",     "strongswan", "strongswan-6",
                                           "cisco-asa", "libreswan", "cisco-ios",  "juniper-srx"};

double parse_number(std::string_view text, std::string_view expected) {
  double v = 0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(first, last, v);
  if (text.empty() || ec != std::errc() || ptr != last) {
    throw sim::ParseError(std::string(text), std::string(expected));
  }
  return v;
}

// "100%", "12.5%", or a bare "0".
double parse_percent(std::string_view text) {
  constexpr std::string_view kForm = "a percentage like 100%, 12.5%, 0%";
  if (text == "0") return 0;
  if (text.size() < 2 || text.back() != '%')
    throw sim::ParseError(std::string(text), std::string(kForm));
  const double v = parse_number(text.substr(0, text.size() - 1), kForm);
  if (v < 0) throw sim::ParseError(std::string(text), std::string(kForm), "negative");
  return v / 100.0;
}

double parse_ppm(std::string_view text) {
  constexpr std::string_view kForm = "a clock error like 0ppm, 20ppm, -5ppm";
  if (text == "0") return 0;
  if (text.size() < 4 || text.substr(text.size() - 3) != "ppm") {
    throw sim::ParseError(std::string(text), std::string(kForm));
  }
  return parse_number(text.substr(0, text.size() - 3), kForm);
}

bool parse_bool(std::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  throw sim::ParseError(std::string(text), "true or false");
}

std::uint64_t parse_count(std::string_view text) {
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    throw sim::ParseError(std::string(text), "a whole number like 0, 5, 12");
  }
  return v;
}

template <typename Enum, std::size_t N>
Enum parse_enum(std::string_view text,
                const std::array<std::pair<std::string_view, Enum>, N>& names) {
  std::string expected = "one of";
  for (const auto& [name, value] : names) {
    if (name == text) return value;
    expected += " ";
    expected += name;
  }
  throw sim::ParseError(std::string(text), expected);
}

void apply_lifetime(LifetimePolicy& p, std::string_view field, std::string_view value) {
  if (field == "lifetime") {
    p.lifetime = sim::parse_duration(value);
  } else if (field == "margin") {
    p.margin = parse_margin(value);  // "9m", "10%" or "1/11" (models/margin.hpp)
  } else if (field == "fuzz") {
    p.fuzz = parse_percent(value);
  } else if (field == "fuzz_quantum") {
    p.fuzz_quantum = sim::parse_duration(value);
  } else if (field == "responder_margin_scale") {
    p.responder_margin_scale = parse_number(value, "a number like 1, 0.5");
  } else if (field == "responder_fuzz") {
    p.responder_fuzz = parse_bool(value);
  } else if (field == "tick") {
    p.tick = sim::parse_duration(value);
  } else if (field == "lifetime_bytes") {
    p.lifetime_bytes = sim::parse_bytes(value);
  } else if (field == "lifetime_packets") {
    p.lifetime_packets = parse_count(value);
  } else if (field == "volume_margin") {
    p.volume_margin = parse_percent(value);
  } else {
    throw std::invalid_argument("unknown profile key field '" + std::string(field) + "'");
  }
}

void apply_behaviour(PeerBehaviour& b, std::string_view field, std::string_view value) {
  if (field == "collision_resolution") {
    b.collision_resolution = parse_enum<CollisionResolution, 6>(
        value, {{{"rfc7296", CollisionResolution::kRfc7296FourNonce},
                 {"strongswan_min_nonce", CollisionResolution::kStrongswanMinNonce},
                 {"none", CollisionResolution::kNone},
                 {"inverted", CollisionResolution::kInverted},
                 {"strongswan4_lowest_wins", CollisionResolution::kStrongswan4LowestWins},
                 {"strongswan_pre56_min_nonce", CollisionResolution::kStrongswanPre56MinNonce}}});
  } else if (field == "unknown_spi") {
    b.unknown_spi =
        parse_enum<UnknownSpiAction, 3>(value, {{{"ignore", UnknownSpiAction::kIgnore},
                                                 {"log", UnknownSpiAction::kLogCantFindSa},
                                                 {"teardown", UnknownSpiAction::kTeardownIke}}});
  } else if (field == "crossing_delete") {
    b.crossing_delete = parse_enum<CrossingDeleteHandling, 2>(
        value, {{{"rfc7296", CrossingDeleteHandling::kRfc7296},
                 {"naive", CrossingDeleteHandling::kNaive}}});
  } else if (field == "responder_switch") {
    b.responder_switch = parse_enum<ResponderOutboundSwitch, 3>(
        value, {{{"on_old_sa_delete", ResponderOutboundSwitch::kOnOldSaDelete},
                 {"on_response_sent", ResponderOutboundSwitch::kOnResponseSent},
                 {"on_request", ResponderOutboundSwitch::kOnRequest}}});
  } else if (field == "ike_collision_winner") {
    b.ike_collision_winner = parse_enum<IkeCollisionWinner, 2>(
        value, {{{"rfc7296", IkeCollisionWinner::kRfc7296},
                 {"rfc4718", IkeCollisionWinner::kRfc4718Inverted}}});
  } else if (field == "start_action") {
    b.start_action = parse_enum<StartAction, 3>(value, {{{"on_traffic", StartAction::kOnTraffic},
                                                         {"immediate", StartAction::kImmediate},
                                                         {"none", StartAction::kNone}}});
  } else if (field == "no_sa_policy") {
    b.no_sa_policy = parse_enum<NoSaPolicy, 3>(value, {{{"drop", NoSaPolicy::kDrop},
                                                        {"trap", NoSaPolicy::kTrap},
                                                        {"clear", NoSaPolicy::kClear}}});
  } else if (field == "temp_failure_in_collision") {
    b.temp_failure_in_collision = parse_enum<TempFailureInCollision, 2>(
        value, {{{"adopt_peer_rekey", TempFailureInCollision::kAdoptPeerRekey},
                 {"retry_own_rekey", TempFailureInCollision::kRetryOwnRekey}}});
  } else if (field == "old_sa_delete_delay") {
    b.old_sa_delete_delay = sim::parse_duration(value);
  } else if (field == "inbound_keep_delay") {
    b.inbound_keep_delay = sim::parse_duration(value);
  } else if (field == "retry_min") {
    b.retry_min = sim::parse_duration(value);
  } else if (field == "retry_max") {
    b.retry_max = sim::parse_duration(value);
  } else if (field == "redundant_ike_timeout") {
    b.redundant_ike_timeout = sim::parse_duration(value);
  } else if (field == "ike_rekey_forced_delete") {
    b.ike_rekey_forced_delete = sim::parse_duration(value);
  } else if (field == "reestablish_delay") {
    b.reestablish_delay = sim::parse_duration(value);
  } else if (field == "retransmit.timeout") {
    b.retransmit.timeout = sim::parse_duration(value);
  } else if (field == "retransmit.base") {
    b.retransmit.base = parse_number(value, "a number like 1.8, 2");
  } else if (field == "retransmit.tries") {
    b.retransmit.tries = static_cast<int>(parse_count(value));
  } else if (field == "retransmit.cap") {
    b.retransmit.cap = sim::parse_duration(value);
  } else if (field == "retransmit.jitter") {
    b.retransmit.jitter = parse_percent(value);
  } else if (field == "child_pfs") {
    b.child_pfs = parse_bool(value);
  } else if (field == "responder_deletes_old") {
    b.responder_deletes_old = parse_bool(value);
  } else if (field == "rekey_vs_delete") {
    b.rekey_vs_delete = parse_enum<RekeyVsDelete, 2>(
        value, {{{"keep_until_response", RekeyVsDelete::kKeepUntilResponse},
                 {"close_both", RekeyVsDelete::kCloseBoth}}});
  } else if (field == "reauth_mode") {
    b.reauth_mode =
        parse_enum<ReauthMode, 2>(value, {{{"make_before_break", ReauthMode::kMakeBeforeBreak},
                                           {"break_before_make", ReauthMode::kBreakBeforeMake}}});
  } else if (field == "duplicate_ike_sa") {
    b.duplicate_ike_sa = parse_enum<DuplicateIkeSa, 2>(
        value,
        {{{"keep_both", DuplicateIkeSa::kKeepBoth}, {"keep_newest", DuplicateIkeSa::kKeepNewest}}});
  } else if (field == "duplicate_ike_delete_delay") {
    b.duplicate_ike_delete_delay = sim::parse_duration(value);
  } else if (field == "reauth_retry_interval") {
    b.reauth_retry_interval = sim::parse_duration(value);
  } else if (field == "reauth_tries") {
    b.reauth_tries = static_cast<int>(parse_count(value));
  } else if (field == "reauth_time") {
    b.reauth_time = sim::parse_duration(value);
  } else if (field == "worker_race_window") {
    b.worker_race_window = sim::parse_duration(value);
  } else if (field == "max_child_sas") {
    b.max_child_sas = static_cast<int>(parse_count(value));
  } else {
    throw std::invalid_argument("unknown profile key 'behaviour." + std::string(field) + "'");
  }
}

}  // namespace

std::string_view to_string(SourceStatus s) {
  return s == SourceStatus::kConfirmed ? "confirmed" : "assumption";
}

std::span<const std::string_view> known_log_styles() {
  return kLogStyles;
}

std::span<const std::string_view> profile_field_keys() {
  return kKeys;
}

bool is_profile_field_key(std::string_view key) {
  for (std::string_view k : profile_field_keys()) {
    if (k == key) return true;
  }
  return false;
}

void apply_profile_field(PeerConfig& config, std::string_view key, std::string_view value) {
  if (key.starts_with("child.")) {
    apply_lifetime(config.child, key.substr(6), value);
  } else if (key.starts_with("ike.")) {
    apply_lifetime(config.ike, key.substr(4), value);
  } else if (key.starts_with("behaviour.")) {
    apply_behaviour(config.behaviour, key.substr(10), value);
  } else if (key == "clock_error") {
    config.clock_error_ppm = parse_ppm(value);
  } else if (key == "processing_delay") {
    config.processing_delay = sim::parse_duration_dist(value);
  } else if (key == "processing_delay_ke") {
    // "processing_delay": not set, so the peer's processing_delay applies.
    if (value == "processing_delay") {
      config.processing_delay_ke.reset();
    } else {
      config.processing_delay_ke = sim::parse_duration_dist(value);
    }
  } else if (key == "processing_delay_informational") {
    if (value == "processing_delay") {
      config.processing_delay_informational.reset();
    } else {
      config.processing_delay_informational = sim::parse_duration_dist(value);
    }
  } else if (key == "timer_lateness") {
    config.timer_lateness = sim::parse_duration_dist(value);
  } else if (key == "initiation_delay") {
    config.initiation_delay = sim::parse_duration_dist(value);
  } else if (key == "log_style") {
    for (std::string_view name : kLogStyles) {
      if (name == value) {
        config.log_style = std::string(name);
        return;
      }
    }
    throw sim::ParseError(std::string(value),
                          "a log style: plain, panos, strongswan, "
                          "strongswan-6, cisco-asa, libreswan, cisco-ios, "
                          "juniper-srx");
  } else {
    throw std::invalid_argument("unknown profile key '" + std::string(key) + "'");
  }
}

}  // namespace models
