#include "models/ikev2/invariants.hpp"

namespace models::ikev2 {

namespace {

std::string spi(std::uint32_t s) {
  return std::to_string(s);
}

bool live(const ChildSa& c) {
  return c.state == ChildSaState::kInstalled && !c.expired && c.inbound_installed;
}

}  // namespace

void record_violations(std::span<const TraceRecord> records, std::vector<InvariantViolation>& out) {
  for (const TraceRecord& r : records) {
    const std::string p(1, peer_name(r.peer));
    switch (r.kind) {
      case TraceKind::kDeleteForUnknownSpi:
        out.push_back({"cant_find_sa",
                       p + " got a DELETE for ESP SPI " + spi(r.spi_in) + " it has no SA for"});
        break;
      // kRekeyForUnknownSpi is not one: answering a rekey of an SA already
      // deleted with CHILD_SA_NOT_FOUND is RFC 7296 2.25's own handling of
      // that collision; any damage shows in the end-state checks.
      case TraceKind::kTunnelDown:
        out.push_back({"tunnel_reset", p + " lost the IKE SA carrying its Child SAs"});
        break;
      case TraceKind::kHardExpired:
        out.push_back({"outage", p + " let an SA reach its hard lifetime"});
        break;
      default:
        break;
    }
  }
}

void esp_violations(const Peer& a, const Peer& b, std::vector<InvariantViolation>& out) {
  for (const Peer* p : {&a, &b}) {
    const Peer& other = p == &a ? b : a;
    const auto out_spi = p->outbound_spi();
    const std::string name(1, peer_name(p == &a ? PeerId::kA : PeerId::kB));
    const std::string other_name(1, peer_name(p == &a ? PeerId::kB : PeerId::kA));
    if (!out_spi) {
      // Only while the tunnel is meant to be up: a reset is its own kind.
      if (p->ike_sa() != nullptr)
        out.push_back({"outage", name + " has no outbound Child SA to send on"});
    } else if (!other.accepts_inbound(*out_spi)) {
      out.push_back({"outage", name + " sends on ESP SPI " + spi(*out_spi) + " that " + other_name +
                                   " no longer accepts"});
    }
  }
}

void end_violations(const Peer& a, const Peer& b, std::vector<InvariantViolation>& out) {
  std::vector<const ChildSa*> l[2];
  const Peer* peers[2] = {&a, &b};
  for (int i = 0; i < 2; ++i) {
    const Peer& peer = *peers[i];
    const std::string name(1, i == 0 ? 'A' : 'B');
    for (const ChildSa& c : peer.child_sas())
      if (live(c)) l[i].push_back(&c);
    const std::size_t n = l[i].size();
    if (n > 1) {
      std::string spis;
      for (const ChildSa* c : l[i]) spis += (spis.empty() ? "" : ", ") + spi(c->spi_in);
      out.push_back({"redundant_sa", name + " holds " + std::to_string(n) +
                                         " installed Child SAs for one tunnel (inbound SPIs " +
                                         spis + ")"});
    }
    if (peer.child_sas().size() > n) {
      for (const ChildSa& c : peer.child_sas())
        if (!live(c)) {
          out.push_back({"sa_leak", name + " still holds Child SA " + spi(c.spi_in) + "/" +
                                        spi(c.spi_out) + " that is no longer in use"});
          break;
        }
    }
    if (peer.ike_sas().size() > 1)
      out.push_back(
          {"ike_sa_leak", name + " holds " + std::to_string(peer.ike_sas().size()) + " IKE SAs"});
    bool outstanding = peer.queued_tasks() > 0;
    for (const auto& ike : peer.ike_sas()) outstanding = outstanding || ike.request_outstanding;
    if (outstanding)
      out.push_back({"request_unanswered",
                     name + " has a request neither answered nor given up (or one still queued)"});
  }
  const auto& la = l[0];
  const auto& lb = l[1];
  if (la.size() == 1 && lb.size() == 1) {
    if (la[0]->spi_in != lb[0]->spi_out || la[0]->spi_out != lb[0]->spi_in)
      out.push_back({"sa_disagreement", "A uses Child SA " + spi(la[0]->spi_in) + "/" +
                                            spi(la[0]->spi_out) + " but B uses " +
                                            spi(lb[0]->spi_in) + "/" + spi(lb[0]->spi_out)});
  } else if (la.empty() != lb.empty()) {
    out.push_back({"sa_disagreement", std::string(la.empty() ? "A" : "B") +
                                          " holds no installed Child SA but the other does"});
  }
  const auto* ia = a.ike_sa();
  const auto* ib = b.ike_sa();
  if ((ia == nullptr) != (ib == nullptr) || (ia && ib && ia->id != ib->id))
    out.push_back({"sa_disagreement", "the peers' IKE SAs differ"});
}

}  // namespace models::ikev2
