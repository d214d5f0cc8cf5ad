// Peer::state_digest: the state fingerprint an exhaustive explorer
// (tools/explore) deduplicates on. Every field a later event can read goes
// in; timer handles only as armed/not armed, because their values depend on
// the order the world allocated them, not on the protocol state.
#include <cstring>

#include "models/ikev2/peer.hpp"
#include "sim/random.hpp"

namespace models::ikev2 {

namespace {

struct Digest {
  std::uint64_t h = 0x9e3779b97f4a7c15ULL;
  void add(std::uint64_t v) {
    std::uint64_t s = h ^ (v + 0x632be59bd9b4e019ULL + (h << 6) + (h >> 2));
    h = sim::splitmix64(s);
  }
  void add(bool b) { add(static_cast<std::uint64_t>(b)); }
  void add(SimTime t) { add(static_cast<std::uint64_t>(t.ns())); }
  void add(sim::EventId id) { add(id.valid()); }
  void add(const Nonce& n) {
    add(static_cast<std::uint64_t>(n.length));
    for (std::size_t i = 0; i < n.bytes.size(); i += 8) {
      std::uint64_t w = 0;
      std::memcpy(&w, n.bytes.data() + i, 8);
      add(w);
    }
  }
  template <class E>
  requires std::is_enum_v<E>
  void add(E e) { add(static_cast<std::uint64_t>(e)); }
  void add(const Message& m) {
    add(m.exchange), add(m.is_response), add(static_cast<std::uint64_t>(m.message_id));
    add(m.ike_sa), add(m.sa_protocol), add(m.sa_spi), add(m.has_nonce), add(m.nonce);
    add(m.has_ts), add(m.has_ke), add(m.notify), add(static_cast<std::uint64_t>(m.notify_spi));
    add(m.delete_protocol), add(static_cast<std::uint64_t>(m.delete_count));
    for (std::uint32_t s : m.delete_spis) add(static_cast<std::uint64_t>(s));
  }
  void add(const Task& t) {
    add(t.kind), add(static_cast<std::uint64_t>(t.child)), add(t.ike);
    add(static_cast<std::uint64_t>(t.new_spi)), add(t.new_ike_spi), add(t.nonce);
    add(static_cast<std::uint64_t>(t.stage));
  }
};

}  // namespace

std::uint64_t Peer::state_digest() const {
  Digest d;
  d.add(id_), d.add(outbound_seq_), d.add(current_ike_);
  d.add(static_cast<std::uint64_t>(ike_retries_.size()));
  for (const auto& r : ike_retries_) d.add(r.second);
  d.add(reestablish_pending_), d.add(create_wanted_), d.add(tunnel_up_);
  d.add(static_cast<std::uint64_t>(reauth_failures_));
  d.add(static_cast<std::uint64_t>(children_.size()));
  for (const ChildSa& c : children_) {
    d.add(static_cast<std::uint64_t>(c.spi_in)), d.add(static_cast<std::uint64_t>(c.spi_out));
    d.add(c.state), d.add(c.outbound), d.add(c.inbound_installed), d.add(c.role);
    d.add(c.ni), d.add(c.nr), d.add(c.installed_at), d.add(c.outbound_seq);
    d.add(c.bytes_in), d.add(c.packets_in), d.add(c.bytes_out), d.add(c.packets_out);
    d.add(c.volume_soft_fired), d.add(static_cast<std::uint64_t>(c.replaced_by));
    d.add(static_cast<std::uint64_t>(c.passive_new)), d.add(c.peer_deleted);
    d.add(c.passive_new_deleted), d.add(c.redundant), d.add(c.rekeyed), d.add(c.expired);
    d.add(c.delete_queued), d.add(c.passive_ni), d.add(c.passive_nr), d.add(c.withheld);
    d.add(c.soft_passed), d.add(c.ike);
    for (sim::EventId t :
         {c.soft_timer, c.hard_timer, c.destroy_timer, c.retry_timer, c.delete_timer})
      d.add(t);
  }
  d.add(static_cast<std::uint64_t>(ikes_.size()));
  for (const IkeSa& i : ikes_) {
    d.add(i.id), d.add(i.my_spi), d.add(i.peer_spi), d.add(i.state), d.add(i.role);
    d.add(i.ni), d.add(i.nr), d.add(i.installed_at), d.add(i.redundant);
    d.add(i.reset_after_delete), d.add(static_cast<std::uint64_t>(i.next_request_id));
    d.add(static_cast<std::uint64_t>(i.expected_request_id)), d.add(i.request_outstanding);
    if (i.request_outstanding) d.add(i.outstanding), d.add(i.active);
    d.add(static_cast<std::uint64_t>(i.retransmits)), d.add(i.retransmit_timer);
    d.add(i.have_cached_response);
    if (i.have_cached_response) d.add(i.cached_response);
    d.add(i.rekey_new_spi), d.add(i.rekey_ni), d.add(i.passive_new_id);
    for (sim::EventId t : {i.soft_timer, i.hard_timer, i.aux_timer}) d.add(t);
  }
  d.add(static_cast<std::uint64_t>(queue_.size()));
  for (const Task& t : queue_) d.add(t);
  return d.h;
}

}  // namespace models::ikev2
