#include "tools/scenario/peer_keys.hpp"

#include "models/profiles/profile.hpp"

#include <limits>
#include <stdexcept>
#include <vector>

namespace rekeysim::scenario {

namespace {

using models::PeerConfig;
constexpr double kInf = std::numeric_limits<double>::infinity();

// Enum names, in enumerator order of models/config.hpp.
constexpr std::string_view kCollisionResolution[] = {
    "rfc7296",  "strongswan_min_nonce",    "none",
    "inverted", "strongswan4_lowest_wins", "strongswan_pre56_min_nonce"};
constexpr std::string_view kUnknownSpi[] = {"ignore", "log", "teardown"};
constexpr std::string_view kCrossingDelete[] = {"rfc7296", "naive"};
constexpr std::string_view kResponderSwitch[] = {"on_old_sa_delete", "on_response_sent",
                                                 "on_request"};
constexpr std::string_view kIkeCollisionWinner[] = {"rfc7296", "rfc4718"};
constexpr std::string_view kStartAction[] = {"on_traffic", "immediate", "none"};
constexpr std::string_view kNoSaPolicy[] = {"drop", "trap", "clear"};  // NoSaPolicy order
constexpr std::string_view kTempFailureInCollision[] = {"adopt_peer_rekey", "retry_own_rekey"};
constexpr std::string_view kRekeyVsDelete[] = {"keep_until_response", "close_both"};
constexpr std::string_view kReauthMode[] = {"make_before_break", "break_before_make"};
constexpr std::string_view kDuplicateIkeSa[] = {"keep_both", "keep_newest"};

constexpr std::string_view kDurationUnit = "ns, us, ms, s, m, h, d";
constexpr std::string_view kMarginUnit = "ns, us, ms, s, m, h, d, % or N/M of lifetime";

constexpr std::string_view kMarginForm =
    "a duration like 9m or 270s, a percentage of the lifetime like 10%, or a ratio like 1/11";

// A margin is a duration (read as every duration, with its messages) or a
// fraction of the lifetime, resolved against the final lifetime (models/margin.hpp).
models::Margin read_margin(const ValueContext& v) {
  const std::string text = scalar_text(v, kMarginForm);
  if (text.find('%') == std::string::npos && text.find('/') == std::string::npos) {
    try {
      return models::Margin(read_duration(v));
    } catch (const ScenarioError& e) {
      // "10" could be meant as either form: show both.
      throw ScenarioError(e.pos(), e.field(), e.problem(), std::string(kMarginForm));
    }
  }
  try {
    return models::parse_margin(text);
  } catch (const sim::ParseError&) {
    v.fail("\"" + text + "\" is not a margin", std::string(kMarginForm));
  }
}

void require_positive(const ValueContext& v, sim::SimTime t) {
  if (t.ns() <= 0) v.fail("must be greater than 0", "a positive duration like 8h or 250ms");
}

// One row per field. The macros keep each row to the facts that differ:
// path, member, limits and meaning; reading and rendering are the same per type.
#define DURATION_KEY(PATH, MEMBER, MEANING)                                        \
  PeerKey {                                                                        \
    PATH, ValueKind::kDuration, "duration", kDurationUnit, MEANING, {},            \
        [](const ValueContext& v, PeerConfig& c) { c.MEMBER = read_duration(v); }, \
        [](const PeerConfig& c) { return sim::format_duration(c.MEMBER); }         \
  }
#define POSITIVE_DURATION_KEY(PATH, MEMBER, MEANING)                          \
  PeerKey {                                                                   \
    PATH, ValueKind::kDuration, "duration (> 0)", kDurationUnit, MEANING, {}, \
        [](const ValueContext& v, PeerConfig& c) {                            \
          const sim::SimTime t = read_duration(v);                            \
          require_positive(v, t);                                             \
          c.MEMBER = t;                                                       \
        },                                                                    \
        [](const PeerConfig& c) { return sim::format_duration(c.MEMBER); }    \
  }
#define MARGIN_KEY(PATH, MEMBER, MEANING)                                                     \
  PeerKey {                                                                                   \
    PATH, ValueKind::kDuration, "duration or fraction of lifetime", kMarginUnit, MEANING, {}, \
        [](const ValueContext& v, PeerConfig& c) { c.MEMBER = read_margin(v); },              \
        [](const PeerConfig& c) { return models::format_margin(c.MEMBER); }                   \
  }
#define FRACTION_KEY(PATH, MEMBER, LO, HI, TYPE, MEANING)                                  \
  PeerKey {                                                                                \
    PATH, ValueKind::kFraction, TYPE, "fraction or %", MEANING, {},                        \
        [](const ValueContext& v, PeerConfig& c) { c.MEMBER = read_fraction(v, LO, HI); }, \
        [](const PeerConfig& c) { return format_fraction(c.MEMBER); }                      \
  }
#define NUMBER_KEY(PATH, MEMBER, LO, HI, TYPE, MEANING)                           \
  PeerKey {                                                                       \
    PATH, ValueKind::kNumber, TYPE, "", MEANING, {},                              \
        [](const ValueContext& v, PeerConfig& c) {                                \
          c.MEMBER = read_number(v, LO, HI, "a number between " #LO " and " #HI); \
        },                                                                        \
        [](const PeerConfig& c) { return format_number(c.MEMBER); }               \
  }
#define BOOL_KEY(PATH, MEMBER, MEANING)                                              \
  PeerKey {                                                                          \
    PATH, ValueKind::kBool, "bool", "", MEANING, {},                                 \
        [](const ValueContext& v, PeerConfig& c) { c.MEMBER = read_bool(v); },       \
        [](const PeerConfig& c) { return std::string(c.MEMBER ? "true" : "false"); } \
  }
#define BYTES_KEY(PATH, MEMBER, MEANING)                                              \
  PeerKey {                                                                           \
    PATH, ValueKind::kBytes, "bytes (0 = none)", "B, KB, MB, GB (1024)", MEANING, {}, \
        [](const ValueContext& v, PeerConfig& c) { c.MEMBER = read_bytes(v); },       \
        [](const PeerConfig& c) {                                                     \
          return c.MEMBER == 0 ? std::string("0") : sim::format_bytes(c.MEMBER);      \
        }                                                                             \
  }
#define COUNT_KEY(PATH, MEMBER, HI, TYPE, UNIT, MEANING)                                           \
  PeerKey {                                                                                        \
    PATH, ValueKind::kCount, TYPE, UNIT, MEANING, {},                                              \
        [](const ValueContext& v, PeerConfig& c) {                                                 \
          c.MEMBER =                                                                               \
              static_cast<decltype(c.MEMBER)>(read_count(v, HI, "a whole number from 0 to " #HI)); \
        },                                                                                         \
        [](const PeerConfig& c) { return std::to_string(c.MEMBER); }                               \
  }
#define ENUM_KEY(PATH, MEMBER, TYPE, NAMES, MEANING)                                               \
  PeerKey {                                                                                        \
    PATH, ValueKind::kEnum, "enum", "", MEANING, NAMES,                                            \
        [](const ValueContext& v, PeerConfig& c) {                                                 \
          c.MEMBER = static_cast<TYPE>(read_enum(v, NAMES));                                       \
        },                                                                                         \
        [](const PeerConfig& c) { return std::string(NAMES[static_cast<std::size_t>(c.MEMBER)]); } \
  }
const std::vector<PeerKey>& table() {
  // The two lifetime groups are spelled out row by row so each key reads
  // plainly in a grep and can carry its own wording.
  static const std::vector<PeerKey> keys = {
      PeerKey{
          "profile",
          ValueKind::kProfile,
          "profile",
          "",
          "builtin profile name (rekeysim profiles) or path to a profile YAML file with `base:`",
          {},
          nullptr,
          [](const PeerConfig& c) { return c.profile; }},
      // ---- Child SA (Phase 2) lifetime policy
      POSITIVE_DURATION_KEY(
          "child.lifetime", child.lifetime,
          "hard lifetime of a Child SA, counted from when this peer installed it"),
      MARGIN_KEY("child.margin", child.margin,
                 "rekey this long before the hard lifetime: a duration, or a fraction of the final "
                 "lifetime (10%; strongSwan 1/11 = life_time - life_time/1.1); 0 = never rekey: "
                 "the SA expires and is deleted"),
      FRACTION_KEY("child.fuzz", child.fuzz, 0.0, kInf, "fraction (>= 0)",
                   "random part: soft time = lifetime - margin - U[0,1) x fuzz x margin"),
      DURATION_KEY("child.fuzz_quantum", child.fuzz_quantum,
                   "random part floored to a multiple of this (strongSwan: 1s); 0 = continuous"),
      NUMBER_KEY(
          "child.responder_margin_scale", child.responder_margin_scale, 0.0, 10.0,
          "number in [0, 10]",
          "margin multiplier on the peer that responded to the SA's creation (libreswan: 0.5)"),
      BOOL_KEY("child.responder_fuzz", child.responder_fuzz,
               "whether the responder of the SA's creation also draws the random part"),
      DURATION_KEY("child.tick", child.tick,
                   "timer granularity: soft time rounded up to a multiple of it; 0 = exact"),
      BYTES_KEY("child.lifetime_bytes", child.lifetime_bytes,
                "hard volume lifetime of a Child SA; 0 = no volume limit"),
      COUNT_KEY("child.lifetime_packets", child.lifetime_packets, 1000000000000000000,
                "count (0 = none)", "packets",
                "hard packet-count lifetime of a Child SA; 0 = none"),
      FRACTION_KEY("child.volume_margin", child.volume_margin, 0.0, 0.99, "fraction in [0, 0.99]",
                   "rekey when this fraction of a volume lifetime remains (Cisco: 10%)"),
      // ---- IKE SA (Phase 1) lifetime policy
      POSITIVE_DURATION_KEY(
          "ike.lifetime", ike.lifetime,
          "hard lifetime of the IKE SA, counted from when this peer installed it"),
      MARGIN_KEY("ike.margin", ike.margin,
                 "rekey the IKE SA this long before its hard lifetime, or this fraction of it "
                 "(10%, 1/11); 0 = never rekey"),
      FRACTION_KEY("ike.fuzz", ike.fuzz, 0.0, kInf, "fraction (>= 0)",
                   "random part of the IKE margin, as child.fuzz"),
      DURATION_KEY("ike.fuzz_quantum", ike.fuzz_quantum,
                   "IKE random part floored to a multiple of this; 0 = continuous"),
      NUMBER_KEY("ike.responder_margin_scale", ike.responder_margin_scale, 0.0, 10.0,
                 "number in [0, 10]",
                 "IKE margin multiplier on the responder of the SA's creation"),
      BOOL_KEY("ike.responder_fuzz", ike.responder_fuzz,
               "whether the responder of the IKE SA's creation also draws the random part"),
      DURATION_KEY("ike.tick", ike.tick, "IKE timer granularity; 0 = exact"),
      BYTES_KEY("ike.lifetime_bytes", ike.lifetime_bytes, "IKE SA volume lifetime; 0 = none"),
      COUNT_KEY("ike.lifetime_packets", ike.lifetime_packets, 1000000000000000000,
                "count (0 = none)", "packets", "IKE SA packet-count lifetime; 0 = none"),
      FRACTION_KEY("ike.volume_margin", ike.volume_margin, 0.0, 0.99, "fraction in [0, 0.99]",
                   "rekey the IKE SA when this fraction of a volume lifetime remains"),
      // ---- Clock and processing
      PeerKey{"clock_error",
              ValueKind::kPpm,
              "ppm",
              "ppm",
              "this peer's clock runs fast (> 0) or slow (< 0) by this much",
              {},
              [](const ValueContext& v, PeerConfig& c) { c.clock_error_ppm = read_ppm(v); },
              [](const PeerConfig& c) { return format_ppm(c.clock_error_ppm); }},
      PeerKey{
          "processing_delay",
          ValueKind::kDistribution,
          "duration or distribution",
          kDurationUnit,
          "time to handle each message: 2ms, normal(1ms, 200us), {dist: ...}",
          {},
          [](const ValueContext& v, PeerConfig& c) { c.processing_delay = read_distribution(v); },
          [](const PeerConfig& c) { return format_distribution(c.processing_delay); }},
      PeerKey{"processing_delay_ke",
              ValueKind::kDistribution,
              "duration or distribution",
              kDurationUnit,
              "time to handle a message with a KE payload (Diffie-Hellman): IKE_SA_INIT, IKE "
              "rekey, Child rekey with PFS; unset or `processing_delay`: processing_delay",
              {},
              [](const ValueContext& v, PeerConfig& c) {
                // `processing_delay`: not set, the peer's processing_delay applies.
                if (v.node.IsScalar() && v.node.Scalar() == "processing_delay") {
                  c.processing_delay_ke.reset();
                } else {
                  c.processing_delay_ke = read_distribution(v);
                }
              },
              [](const PeerConfig& c) {
                return format_distribution(c.processing_delay_ke.value_or(c.processing_delay));
              }},
      PeerKey{"processing_delay_informational",
              ValueKind::kDistribution,
              "duration or distribution",
              kDurationUnit,
              "time to handle an INFORMATIONAL message (DELETE); unset or `processing_delay`: "
              "processing_delay",
              {},
              [](const ValueContext& v, PeerConfig& c) {
                // `processing_delay`: not set, the peer's processing_delay applies.
                if (v.node.IsScalar() && v.node.Scalar() == "processing_delay") {
                  c.processing_delay_informational.reset();
                } else {
                  c.processing_delay_informational = read_distribution(v);
                }
              },
              [](const PeerConfig& c) {
                return format_distribution(
                    c.processing_delay_informational.value_or(c.processing_delay));
              }},
      PeerKey{"timer_lateness",
              ValueKind::kDistribution,
              "duration or distribution",
              kDurationUnit,
              "a rekey (soft expiry) timer runs this long after it came due",
              {},
              [](const ValueContext& v, PeerConfig& c) { c.timer_lateness = read_distribution(v); },
              [](const PeerConfig& c) { return format_distribution(c.timer_lateness); }},
      PeerKey{
          "initiation_delay",
          ValueKind::kDistribution,
          "duration or distribution",
          kDurationUnit,
          "a request started by a rekey timer leaves this long after the timer ran",
          {},
          [](const ValueContext& v, PeerConfig& c) { c.initiation_delay = read_distribution(v); },
          [](const PeerConfig& c) { return format_distribution(c.initiation_delay); }},
      // ---- Behaviour (what differs between implementations)
      ENUM_KEY("behaviour.collision_resolution", behaviour.collision_resolution,
               models::CollisionResolution, kCollisionResolution,
               "simultaneous Child rekey tie-break (RFC 7296 2.8.1): four-nonce rule, strongSwan "
               "min-nonce, none (keep both), inverted (OpenIKED 2017-2022: the wrong SA is "
               "taken as redundant), strongswan4_lowest_wins (strongSwan 4.1.0-4.5.0: the "
               "lowest nonce wins, Child and IKE SAs), or strongswan_pre56_min_nonce (strongSwan "
               "5.0-5.5: min-nonce, the loser sends on its redundant SA until it is deleted)"),
      ENUM_KEY("behaviour.unknown_spi", behaviour.unknown_spi, models::UnknownSpiAction,
               kUnknownSpi,
               "DELETE/REKEY_SA for an SPI this peer lacks: ignore (RFC 7296 2.25.1), log \"can't "
               "find sa\", or tear the IKE SA down"),
      ENUM_KEY("behaviour.crossing_delete", behaviour.crossing_delete,
               models::CrossingDeleteHandling, kCrossingDelete,
               "DELETE for an SA this peer is deleting itself: RFC 7296 1.4.1, or naive (forget on "
               "send)"),
      ENUM_KEY("behaviour.responder_switch", behaviour.responder_switch,
               models::ResponderOutboundSwitch, kResponderSwitch,
               "when a rekey responder starts sending on the new SA (RFC 7296 2.8)"),
      ENUM_KEY("behaviour.ike_collision_winner", behaviour.ike_collision_winner,
               models::IkeCollisionWinner, kIkeCollisionWinner,
               "which new IKE SA inherits the Child SAs in a simultaneous IKE rekey (2.8.2 or RFC "
               "4718)"),
      ENUM_KEY("behaviour.start_action", behaviour.start_action, models::StartAction, kStartAction,
               "after an SA expired unrekeyed or a tunnel reset: re-create on traffic, at once, or "
               "never"),
      ENUM_KEY("behaviour.no_sa_policy", behaviour.no_sa_policy, models::NoSaPolicy, kNoSaPolicy,
               "an outbound packet that finds no Child SA: dropped, dropped and asking for the SA "
               "(trap, needed by start_action on_traffic), or sent in clear (a leak)"),
      ENUM_KEY("behaviour.temp_failure_in_collision", behaviour.temp_failure_in_collision,
               models::TempFailureInCollision, kTempFailureInCollision,
               "TEMPORARY_FAILURE to a rekey after the peer's colliding rekey completed: adopt the "
               "peer's SA (RFC 7296, strongSwan 6) or retry (strongSwan 5.9, issue #1896)"),
      DURATION_KEY(
          "behaviour.old_sa_delete_delay", behaviour.old_sa_delete_delay,
          "rekey initiator waits this long before deleting the old Child SA (libreswan: 1s)"),
      DURATION_KEY("behaviour.inbound_keep_delay", behaviour.inbound_keep_delay,
                   "keep the old inbound SA this long after its DELETE (strongSwan: 5s)"),
      DURATION_KEY("behaviour.retry_min", behaviour.retry_min,
                   "retry after TEMPORARY_FAILURE no sooner than this (RFC 7296 2.25)"),
      DURATION_KEY("behaviour.retry_max", behaviour.retry_max,
                   "retry after TEMPORARY_FAILURE no later than this"),
      DURATION_KEY("behaviour.redundant_ike_timeout", behaviour.redundant_ike_timeout,
                   "winner deletes a redundant IKE SA the peer never deleted after this (2.8.2)"),
      DURATION_KEY("behaviour.ike_rekey_forced_delete", behaviour.ike_rekey_forced_delete,
                   "IKE rekey responder deletes the old IKE SA itself after this"),
      DURATION_KEY("behaviour.reestablish_delay", behaviour.reestablish_delay,
                   "after a tunnel reset the IKE SA comes back after this long"),
      POSITIVE_DURATION_KEY("behaviour.retransmit.timeout", behaviour.retransmit.timeout,
                            "first retransmission timeout of a request (RFC 7296 2.4)"),
      NUMBER_KEY("behaviour.retransmit.base", behaviour.retransmit.base, 1.0, 10.0,
                 "number in [1, 10]", "each further timeout is the previous one times this"),
      COUNT_KEY("behaviour.retransmit.tries", behaviour.retransmit.tries, 100, "count", "",
                "retransmissions before giving up (then the tunnel resets)"),
      DURATION_KEY("behaviour.retransmit.cap", behaviour.retransmit.cap,
                   "upper bound on one timeout; 0 = none"),
      FRACTION_KEY("behaviour.retransmit.jitter", behaviour.retransmit.jitter, 0.0, 0.99,
                   "fraction in [0, 0.99]",
                   "each timeout is randomly reduced by up to this fraction"),
      BOOL_KEY("behaviour.child_pfs", behaviour.child_pfs,
               "Child SA rekeys carry a KE payload (PFS, RFC 7296 1.3.1)"),
      COUNT_KEY("behaviour.max_child_sas", behaviour.max_child_sas, 1000000, "count", "",
                "answer a CREATE_CHILD_SA that would add a Child SA beyond this many with "
                "NO_ADDITIONAL_SAS (RFC 7296 1.3); 0 = no limit"),
      BOOL_KEY("behaviour.responder_deletes_old", behaviour.responder_deletes_old,
               "a plain Child rekey responder sends the DELETE for the old SA itself, "
               "old_sa_delete_delay after its response (PAN-OS, strongSwan issue #1458)"),
      ENUM_KEY("behaviour.rekey_vs_delete", behaviour.rekey_vs_delete, models::RekeyVsDelete,
               kRekeyVsDelete,
               "DELETE for the Child SA this peer is rekeying, no collision known: keep it until "
               "the response (strongSwan 6, RFC 7296 2.25.1) or close it and then the new SA "
               "(strongSwan <= 5.9)"),
      DURATION_KEY("behaviour.worker_race_window", behaviour.worker_race_window,
                   "each received message waits U[0, this) for a worker, so messages arriving "
                   "closer than this may be processed in either order; 0 = arrival order; at most "
                   "10s"),
      DURATION_KEY("behaviour.reauth_time", behaviour.reauth_time,
                   "reauthenticate the IKE SA this long after IKE_AUTH (RFC 7296 2.8.3; strongSwan "
                   "reauth_time); 0 = never"),
      ENUM_KEY("behaviour.reauth_mode", behaviour.reauth_mode, models::ReauthMode, kReauthMode,
               "reauthentication: new IKE and Child SAs before deleting the old (RFC 7296 2.8.3, "
               "strongSwan 6) or delete first, then re-establish (strongSwan 5.x)"),
      DURATION_KEY("behaviour.reauth_retry_interval", behaviour.reauth_retry_interval,
                   "make_before_break: start the next attempt this long after one failed (its new "
                   "IKE SA gave up, RFC 7296 2.4)"),
      COUNT_KEY("behaviour.reauth_tries", behaviour.reauth_tries, 100, "count", "",
                "make_before_break attempts per reauthentication (strongSwan keyingtries); 0 = "
                "until one succeeds; after the last fails, reauth_time is armed again"),
      ENUM_KEY("behaviour.duplicate_ike_sa", behaviour.duplicate_ike_sa, models::DuplicateIkeSa,
               kDuplicateIkeSa,
               "two established IKE SAs with the peer (both re-established at once): keep both "
               "(RFC 7296 is silent, strongSwan swanctl unique = no) or the IKE_AUTH responder "
               "deletes the older (strongSwan unique = replace, ipsec.conf uniqueids = yes)"),
      DURATION_KEY("behaviour.duplicate_ike_delete_delay", behaviour.duplicate_ike_delete_delay,
                   "keep_newest: delete the older IKE SA this long after the newer one's "
                   "IKE_AUTH (strongSwan: 10 s)"),
      PeerKey{"log_style", ValueKind::kEnum, "enum", "",
              "vendor log shape `rekeysim trace --style auto` prints this peer in (tools/trace)",
              models::known_log_styles(),
              [](const ValueContext& v, PeerConfig& c) {
                c.log_style = std::string(models::known_log_styles()[static_cast<std::size_t>(
                    read_enum(v, models::known_log_styles()))]);
              },
              [](const PeerConfig& c) { return c.log_style; }},
  };
  return keys;
}

}  // namespace

std::string PeerKey::expected() const {
  switch (kind) {
    case ValueKind::kDuration:
      return std::string(kDurationForm);
    case ValueKind::kFraction:
      return std::string(kFractionForm);
    case ValueKind::kNumber:
      return "a number";
    case ValueKind::kCount:
      return "a whole number";
    case ValueKind::kBytes:
      return std::string(kBytesForm);
    case ValueKind::kPpm:
      return std::string(kPpmForm);
    case ValueKind::kBool:
      return std::string(kBoolForm);
    case ValueKind::kEnum: {
      std::vector<std::string> all(names.begin(), names.end());
      return "one of " + join(all, "|");
    }
    case ValueKind::kDistribution:
      return std::string(kDistForm);
    case ValueKind::kProfile:
      return "a builtin profile name or a path to a profile YAML file";
  }
  return {};
}

std::span<const PeerKey> peer_keys() {
  return table();
}

const PeerKey* find_peer_key(std::string_view path) {
  for (const auto& k : table()) {
    if (k.path == path) return &k;
  }
  return nullptr;
}

std::span<const std::string> peer_key_paths() {
  static const std::vector<std::string> paths = [] {
    std::vector<std::string> out;
    for (const auto& k : table()) out.emplace_back(k.path);
    return out;
  }();
  return paths;
}

bool is_peer_key_group(std::string_view prefix) {
  return prefix == "child" || prefix == "ike" || prefix == "behaviour" ||
         prefix == "behaviour.retransmit";
}

std::string format_peer_field(const models::PeerConfig& config, std::string_view path) {
  const PeerKey* key = find_peer_key(path);
  if (key == nullptr) throw std::out_of_range("unknown peer key: " + std::string(path));
  return key->format(config);
}

void parse_peer_field(models::PeerConfig& config, std::string_view path, const std::string& text) {
  static const std::string file = "<value>";
  const PeerKey* key = find_peer_key(path);
  if (key == nullptr) {
    throw ScenarioError({file, 1, 1}, std::string(path),
                        "unknown key " + quoted_with_suggestion(path, peer_key_paths()),
                        "a peer key path like child.lifetime");
  }
  if (key->kind == ValueKind::kProfile) {
    config.profile = text;
    return;
  }
  YAML::Node node;
  try {
    node = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ScenarioError({file, 1, e.mark.column + 1}, std::string(path), e.msg, key->expected());
  }
  key->read(ValueContext{node, file, std::string(path)}, config);
}

std::string peer_keys_markdown() {
  const models::PeerConfig defaults;
  std::string out =
      "| key | type | unit | default (rfc7296) | meaning |\n"
      "| --- | --- | --- | --- | --- |\n";
  for (const auto& k : table()) {
    std::string type(k.type);
    if (k.kind == ValueKind::kEnum) {
      std::vector<std::string> all(k.names.begin(), k.names.end());
      type = join(all, " \\| ");
    }
    std::string meaning(k.meaning);
    for (std::size_t p = meaning.find('|'); p != std::string::npos; p = meaning.find('|', p + 2)) {
      meaning.replace(p, 1, "\\|");
    }
    out += "| `" + std::string(k.path) + "` | " + type + " | " + std::string(k.unit) + " | `" +
           k.format(defaults) + "` | " + meaning + " |\n";
  }
  return out;
}

}  // namespace rekeysim::scenario
