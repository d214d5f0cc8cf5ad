// The outcome classifier's episode closing: when an episode has settled,
// what it counted (rekeyed, collided, redundant SAs), and the end of a trial
// (see outcome_classifier.hpp).
#include <algorithm>

#include "models/world/outcome_classifier.hpp"

namespace models::world {

void OutcomeClassifier::close_settled() {
  for (std::size_t i = 0; i < open_.size();) {
    const std::uint64_t id = open_[i].id;
    bool settled = true;
    for (const Pair& g : pairs_) {
      if (g.episode == id && g.present_anywhere()) {
        settled = false;
        break;
      }
    }
    for (std::size_t p = 0; settled && p < 2; ++p) {
      for (const Request& r : requests_[p]) {
        for (std::uint64_t pid : r.pairs) {
          const Pair* g = pair_by_id(pid);
          if (g && g->episode == id) settled = false;
        }
      }
    }
    if (settled) {
      close(i);
    } else {
      ++i;
    }
  }
}

void OutcomeClassifier::close(std::size_t open_index) {
  Episode e = open_[open_index];
  open_.erase(open_.begin() + static_cast<long>(open_index));
  // Replacements of any member (the root, or a sibling that joined it) that
  // nobody has acted upon yet.
  std::uint64_t survivors = 0;
  for (const Pair& g : pairs_) {
    if (g.parent == 0 || g.episode != 0 || !g.present_anywhere()) continue;
    const Pair* parent = pair_by_id(g.parent);
    if (g.parent == e.root || (parent && parent->episode == e.id)) ++survivors;
  }
  last_closed_ = Episode{};
  last_closed_.id = e.id;
  if (survivors > 1) {
    // More than one replacement of G outlived the collision: the extra ones are redundant.
    count_at_close(Outcome::kRedundantSas, survivors - 1, now_);
    e.flags |= bit(Outcome::kRedundantSas);
  }
  if (e.rekeyed || survivors > 0) {
    count_at_close(Outcome::kChildRekeys, 1, now_);
    e.flags |= bit(Outcome::kChildRekeys);
  }
  if (e.collision) {
    count_at_close(Outcome::kCollisions, 1, e.collision_at);
    e.flags |= bit(Outcome::kCollisions);
  }
  fold(e);
  last_closed_.flags = e.flags;
  pairs_.erase(std::remove_if(pairs_.begin(), pairs_.end(),
                              [&](const Pair& g) { return g.episode == e.id; }),
               pairs_.end());
}

void OutcomeClassifier::fold(Episode& e) {
  ++outcome_.episodes;
  for (Outcome o : kAllOutcomes) {
    if (e.flags & bit(o)) ++outcome_.episodes_with[at(o)];
  }
}

void OutcomeClassifier::finish(SimTime end) {
  for (Direction& d : directions_) {
    if (d.down) end_outage(d, end);
  }
  while (!open_.empty()) close(open_.size() - 1);
  outcome_.simulated = end;
}

}  // namespace models::world
