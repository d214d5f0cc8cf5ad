#include "tools/explore/case_yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <map>
#include <sstream>

#include "models/profiles/profile.hpp"
#include "tools/scenario/peer_keys.hpp"
#include "tools/trace/trace_views.hpp"

namespace rekeysim::explore {

namespace {

using models::PeerId;

char lower(PeerId p) {
  return p == PeerId::kA ? 'a' : 'b';
}

// The case format's `fire` selector for a timer: Child SA timers by the SA's
// inbound SPI, IKE SA timers (and retransmissions, whose cookie is the IKE
// SA) by the IKE SA id, others by kind alone.
std::string fire_step(const PendingTimer& t) {
  std::string s = "{peer: ";
  s += lower(t.peer);
  s += ", timer: ";
  s += to_string(t.kind);
  switch (t.kind) {
    case TimerKind::kChildSoftExpire:
    case TimerKind::kChildHardExpire:
    case TimerKind::kDeleteOldSa:
    case TimerKind::kDestroyInbound:
      s += ", sa: " + std::to_string(t.cookie);
      break;
    case TimerKind::kRetryRekey:
      if (t.cookie != models::ikev2::kIkeRekeyRetryCookie &&
          t.cookie != models::ikev2::kCreateRetryCookie)
        s += ", sa: " + std::to_string(t.cookie);
      break;
    case TimerKind::kIkeSoftExpire:
    case TimerKind::kIkeHardExpire:
    case TimerKind::kRetransmit:
    case TimerKind::kRedundantIkeTimeout:
    case TimerKind::kIkeForcedDelete:
    case TimerKind::kDuplicateIkeDelete:
      s += ", ike: " + std::to_string(t.cookie);
      break;
    default:
      break;
  }
  return s + "}";
}

// What the case expects so that it fails as explore reported.
std::string expectation(const Violation& v, const World& w) {
  if (v.kind == "cant_find_sa")
    return "  events: {delete_for_unknown_spi: 0, rekey_for_unknown_spi: 0}\n";
  if (v.kind == "tunnel_reset") return "  events: {tunnel_down: 0}\n";
  if (v.kind == "ike_sa_leak") return "  ike_sas: {a: 1, b: 1}\n";
  if (v.kind == "outage") {
    // One `accepts` mapping keyed by receiving peer: the case format rejects
    // a repeated expectation key, and both directions can be out at once.
    std::map<char, std::string> accepts;
    for (PeerId p : {PeerId::kA, PeerId::kB}) {
      const auto spi = w.peer(p).outbound_spi();
      if (spi && !w.peer(models::other(p)).accepts_inbound(*spi))
        accepts[lower(models::other(p))] = std::to_string(*spi);
    }
    std::string s;
    if (!accepts.empty()) {
      s = "  accepts: {";
      for (const auto& [peer, spi] : accepts)
        s += std::string(s.back() == '{' ? "" : ", ") + peer + ": [" + spi + "]";
      s += "}\n";
    }
    return s + "  events: {hard_expired: 0}\n";
  }
  // redundant_sa, sa_disagreement, sa_leak, request_unanswered: the
  // settled-agreement check (one shared Child SA pair, nothing in flight).
  return "  agree: true\n";
}

void add_path(YAML::Node node, std::string_view path, const std::string& value) {
  const auto dot = path.find('.');
  if (dot == std::string_view::npos) {
    node[std::string(path)] = value;
    return;
  }
  add_path(node[std::string(path.substr(0, dot))], path.substr(dot + 1), value);
}

}  // namespace

std::string peer_yaml(const models::PeerConfig& peer, int indent) {
  const models::Profile* p = models::find_builtin_profile(peer.profile);
  if (!p) p = models::find_builtin_profile("rfc7296");
  YAML::Node node;
  node["profile"] = p->name;
  for (const scenario::PeerKey& k : scenario::peer_keys()) {
    if (k.kind == scenario::ValueKind::kProfile || !k.format) continue;
    const std::string mine = k.format(peer);
    if (mine != k.format(p->config)) add_path(node, k.path, mine);
  }
  YAML::Emitter out;
  out << YAML::Flow << node;
  return std::string(static_cast<std::size_t>(indent), ' ') + out.c_str();
}

std::string case_yaml(const models::PeerConfig& a, const models::PeerConfig& b, std::uint64_t seed,
                      const Violation& v, const CaseInfo& info) {
  std::ostringstream y;
  y << "# Written by rekeysim explore: a shortest event order that shows " << v.kind << ".\n"
    << "# " << v.detail << "\n"
    << "# Replay with: rekeysim test THIS_FILE (it fails as explore reported).\n";
  YAML::Emitter head;
  head << YAML::BeginMap << YAML::Key << "name" << YAML::Value << info.name << YAML::Key
       << "description" << YAML::Value << info.description << YAML::Key << "source" << YAML::Value
       << info.source << YAML::EndMap;
  y << head.c_str() << "\nseed: " << seed << "\npeers:\n  a: " << peer_yaml(a, 0).substr(0)
    << "\n  b: " << peer_yaml(b, 0) << "\nestablish: a\nscript:\n";
  World w(a, b, seed);
  if (v.steps.empty()) y << "  []\n";
  const auto end = replay(a, b, seed, v.steps);
  for (const Step& s : v.steps) {
    const std::string what = w.describe(s);
    if (s.kind == StepKind::kNonceOrder) {
      // The first octets of every nonce the order makes (RFC 7296 2.8.1).
      y << "  - nonces: {";
      for (PeerId p : {PeerId::kA, PeerId::kB}) {
        y << (p == PeerId::kA ? "a: [" : ", b: [");
        const auto& o = end->nonce_octets(p);
        for (std::size_t i = 0; i < o.size(); ++i)
          y << (i ? ", " : "") << (o[i] == 0 ? "0x00" : "0xff");
        y << "]";
      }
      y << "}  # " << what.substr(what.find(": ") + 2) << "\n";
    } else if (s.kind == StepKind::kFire) {
      const SimTime at = w.fire_time(s.index);
      if (at > w.now()) y << "  - advance_to: " << sim::format_duration(at) << "\n";
      y << "  - fire: " << fire_step(w.timers().at(s.index)) << "\n";
    } else {
      const auto& q = w.in_flight(s.peer);
      y << "  - " << (s.kind == StepKind::kDeliver ? "deliver: " : "drop: ") << q.at(s.index).name
        << "  # " << what.substr(what.find(": ") + 2) << "\n";
    }
    w.apply(s);
  }
  y << "expect:\n" << expectation(v, w);
  return y.str();
}

std::string ladder_svg(const models::PeerConfig& a, const models::PeerConfig& b, std::uint64_t seed,
                       const Violation& v, const std::string& title) {
  const auto w = replay(a, b, seed, v.steps);
  // An order diagram: the establishment at 0, then step k at k ms, so
  // message arrows slant and hours between timers do not swamp the picture
  // (the case file keeps the simulated times).
  std::vector<models::TraceRecord> recs = w->trace();
  const auto& step = w->step_of();
  for (std::size_t i = 0; i < recs.size(); ++i)
    recs[i].time = sim::milliseconds(static_cast<std::int64_t>(step[i]));
  trace::LadderOptions lo;
  lo.title = title + " (step k drawn at k ms; simulated times are in the case file)";
  return trace::render_ladder_svg(recs, lo);
}

std::string steps_text(const models::PeerConfig& a, const models::PeerConfig& b, std::uint64_t seed,
                       const std::vector<Step>& steps) {
  World w(a, b, seed);
  std::string out;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    out += "  " + std::to_string(i + 1) + ". " + w.describe(steps[i]) + "\n";
    w.apply(steps[i]);
  }
  return out;
}

}  // namespace rekeysim::explore
