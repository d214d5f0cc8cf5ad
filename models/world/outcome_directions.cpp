// The outcome classifier's view of each direction of ESP traffic (outages,
// downtime) and of the messages in flight that explain when a mismatch loses
// no packet (see outcome_classifier.hpp).
#include "models/world/outcome_classifier.hpp"

namespace models::world {

void OutcomeClassifier::on_transmitted(PeerId peer, const Message& m, SimTime at) {
  const std::size_t p = idx(peer);
  // Records out of time order (merged logs may give them) leave the ring out
  // of order until this entry and the one before it have been overwritten.
  if (at < sent_last_[p]) {
    sent_unordered_[p] = kSentRing;
  } else if (sent_unordered_[p] > 0) {
    --sent_unordered_[p];
  }
  sent_last_[p] = at;
  sent_[p][sent_next_[p]] = Sent{m.ike_sa, m.message_id, m.is_response, at};
  sent_next_[p] = (sent_next_[p] + 1) % kSentRing;
}

bool OutcomeClassifier::in_flight_install(PeerId sender, const Direction& d,
                                          const TraceRecord& r) const {
  const PeerId receiver = other(sender);
  const Received& rx = received_[idx(receiver)];
  return d.spi != 0 && !d.spi_changed && sas_->outbound(sender) == d.spi &&
         r.kind == TraceKind::kChildSaInstalled && r.peer == receiver && r.spi_in == d.spi &&
         rx.known && rx.at == r.time && rx.sent_at <= d.since;
}

// Each direction's transitions depend on the tracker's state (carries(),
// outbound()) and on the direction's own state, which the last call already
// brought in line with that tracker state (a direction that carries is never
// left down; one that does not is down with spi_changed set as the outbound
// SPI says). So while the tracker has not changed since the last call, a call
// changes nothing and is skipped: most records (messages sent and received)
// change no SA. The record itself (in_flight_install) only matters for a down
// direction that carries again, i.e. after a change.
void OutcomeClassifier::directions_changed(const TraceRecord& r) {
  directions_seen_ = sas_->version();
  const SimTime now = r.time;
  for (PeerId sender : {PeerId::kA, PeerId::kB}) {
    Direction& d = directions_[idx(sender)];
    if (sas_->carries(sender)) {
      if (d.down) {
        if (in_flight_install(sender, d, r)) {
          d.down = false;  // the packets travelled behind the install: none lost
        } else {
          end_outage(d, now);
        }
      }
      d.ever_up = true;
    } else if (d.ever_up && !d.down) {
      d.down = true;
      d.since = now;
      d.episode = current_episode();
      d.spi = sas_->outbound(sender);
      d.spi_changed = false;
    } else if (d.down && sas_->outbound(sender) != d.spi) {
      d.spi_changed = true;
    }
  }
}

void OutcomeClassifier::end_outage(Direction& d, SimTime now) {
  d.down = false;
  const SimTime length = now - d.since;
  if (length <= SimTime{}) return;
  add(Outcome::kOutages, 1, d.episode, d.since);
  add(Outcome::kDowntime, static_cast<std::uint64_t>(length.ns()), d.episode, d.since);
}

}  // namespace models::world
