#include "models/world/child_sa_tracker.hpp"

#include <algorithm>

namespace models::world {

ChildSaTracker::ChildSaTracker() {
  for (auto& v : halves_) v.reserve(8);
}

ChildSaTracker::Half* ChildSaTracker::find_in(PeerId p, std::uint32_t spi_in) {
  for (Half& h : halves_[idx(p)]) {
    if (h.spi_in == spi_in) return &h;
  }
  return nullptr;
}

ChildSaTracker::Half* ChildSaTracker::find_out(PeerId p, std::uint32_t spi_out) {
  for (Half& h : halves_[idx(p)]) {
    if (h.spi_out == spi_out) return &h;
  }
  return nullptr;
}

void ChildSaTracker::set_outbound(PeerId p, SimTime at, std::uint32_t spi, Listener* l) {
  if (outbound_[idx(p)] == spi) return;
  outbound_[idx(p)] = spi;
  if (l) l->outbound_changed(p, at, spi);
}

ChildSaTracker::Half* ChildSaTracker::drop_outbound(PeerId p, SimTime at, std::uint32_t spi_out,
                                                    Listener* l) {
  Half* dropped = find_out(p, spi_out);
  if (dropped) dropped->out_ok = false;
  if (outbound_[idx(p)] != spi_out) return dropped;
  const Half* newest = nullptr;
  for (const Half& h : halves_[idx(p)]) {
    if (h.out_ok && (!newest || h.seq > newest->seq)) newest = &h;
  }
  set_outbound(p, at, newest ? newest->spi_out : 0, l);
  return dropped;
}

void ChildSaTracker::drop_inbound(PeerId p, SimTime at, Half& h, Listener* l) {
  if (!h.in_ok) return;
  h.in_ok = false;
  if (l) l->inbound_changed(p, at, h.spi_in, false);
}

void ChildSaTracker::compact(PeerId p) {
  auto& v = halves_[idx(p)];
  v.erase(std::remove_if(v.begin(), v.end(), [](const Half& h) { return !h.in_ok && !h.out_ok; }),
          v.end());
}

void ChildSaTracker::apply_change(const TraceRecord& r, Listener* l) {
  const PeerId p = r.peer;
  switch (r.kind) {
    case TraceKind::kChildSaInstalled: {
      Half* h = find_in(p, r.spi_in);
      if (!h) {
        halves_[idx(p)].push_back(Half{r.spi_in, r.spi_out, false, true, ++seq_});
        h = &halves_[idx(p)].back();
      }
      if (!h->in_ok) {
        h->in_ok = true;
        if (l) l->inbound_changed(p, r.time, r.spi_in, true);
      }
      if (outbound_[idx(p)] == 0) set_outbound(p, r.time, r.spi_out, l);
      break;
    }
    case TraceKind::kOutboundSwitched:
      if (Half* h = find_out(p, r.spi_out)) h->out_ok = true;
      set_outbound(p, r.time, r.spi_out, l);
      break;
    // A half is gone (neither half left) only after the record that removed its
    // last half, and each such record compacts: no gone half outlives
    // apply_change(), so compacting is needed only when this record made one go.
    case TraceKind::kOutboundRemoved:
      if (gone(drop_outbound(p, r.time, r.spi_out, l))) compact(p);
      break;
    case TraceKind::kInboundRemoved:
      if (Half* h = find_in(p, r.spi_in)) {
        drop_inbound(p, r.time, *h, l);
        if (gone(h)) compact(p);
      }
      break;
    case TraceKind::kChildSaDeleted: {
      Half* h = find_in(p, r.spi_in);
      if (!h) h = find_out(p, r.spi_out);
      if (h) {
        const std::uint32_t out = h->spi_out;
        drop_inbound(p, r.time, *h, l);
        const Half* o = drop_outbound(p, r.time, out, l);
        if (gone(h) || gone(o)) compact(p);
      }
      break;
    }
    case TraceKind::kTunnelDown:
      for (Half& h : halves_[idx(p)]) {
        drop_inbound(p, r.time, h, l);
        h.out_ok = false;
      }
      set_outbound(p, r.time, 0, l);
      compact(p);
      break;
    default:
      return;  // no SA change: version() stays
  }
  ++version_;
}

}  // namespace models::world
