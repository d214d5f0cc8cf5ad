// A test of someone else's project, written against the installed rekeysim
// library only: two peers driven message by message through the scripted
// world (a simultaneous Child SA rekey, RFC 7296 2.8.1), then one case of the
// installed case library loaded and run. Exit 0 when everything holds.
#include <cstdio>
#include <string>
#include <vector>

#include "models/scripted/scripted_world.hpp"
#include "tools/cases/case.hpp"

namespace {

int failed = 0;

void check(bool ok, const std::string& what) {
  std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
  if (!ok) ++failed;
}

}  // namespace

int main(int argc, char** argv) {
  using models::PeerId;
  models::PeerConfig peer;  // RFC 7296 behaviour: four-nonce tie-break
  peer.behaviour.start_action = models::StartAction::kNone;
  models::scripted::ScriptedWorld w(peer, peer);
  w.establish(PeerId::kA);
  // A's request nonce is the lowest: A's exchange made the redundant SA, B wins.
  w.queue_nonce_first_byte(PeerId::kA, 0x00);
  w.queue_nonce_first_byte(PeerId::kA, 0xff);
  w.queue_nonce_first_byte(PeerId::kB, 0xff);
  w.queue_nonce_first_byte(PeerId::kB, 0xff);
  w.a().request_rekey_child(1);
  w.b().request_rekey_child(2);
  check(w.name(PeerId::kB) == "a.CREATE_CHILD_SA.req#1",
        "A's request is named a.CREATE_CHILD_SA.req#1");
  // Both requests cross, then both responses.
  for (const char* name : {"a.CREATE_CHILD_SA.req#1", "b.CREATE_CHILD_SA.req#1",
                           "b.CREATE_CHILD_SA.resp#1", "a.CREATE_CHILD_SA.resp#1"}) {
    const auto at = w.find(name);
    check(at.has_value(), std::string(name) + " is in flight");
    if (at) w.deliver(at->first, at->second);
  }
  while (w.in_flight(PeerId::kA) + w.in_flight(PeerId::kB) > 0) {
    if (w.in_flight(PeerId::kA) > 0) w.deliver(PeerId::kA);
    if (w.in_flight(PeerId::kB) > 0) w.deliver(PeerId::kB);
  }
  w.advance(sim::seconds(5));
  check(w.a().child_sas().size() == 1 && w.b().child_sas().size() == 1, "one Child SA each");
  check(w.a().outbound_spi() == 4u && w.b().outbound_spi() == 6u, "both on B's SA (A 6/4, B 4/6)");
  check(w.count(models::TraceKind::kCollisionResolved) == 2, "both peers resolved the collision");

  // The installed case library runs here too.
  if (argc > 1) {
    const std::string file = std::string(argv[1]) + "/cases/collision/cc-11-n1-rfc.yaml";
    const auto result = rekeysim::cases::run_case(rekeysim::cases::load_case_file(file));
    check(result.passed, "installed case " + result.name);
    check(result.actual_ladder == w.ladder(),
          "the case and this test put the same messages on the wire");
  }
  return failed == 0 ? 0 : 1;
}
