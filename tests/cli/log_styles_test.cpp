// `rekeysim trace` log styles end to end: every vendor style's lines have
// the shape of the real logs they follow (one regex per line kind), --style
// auto writes each peer in its own vendor's shape, --peer gives one device's
// log alone, the scenario's trace: section names and dates it, and golden
// files pin every style at --threads 1 and 2. Also --first rekey, --nth,
// `profiles FILE.yaml` and the bad inputs of all of these.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "models/profiles/profile.hpp"
#include "run_cli.hpp"
#include "tools/trace/trace_views.hpp"

using cli_test::run;
using cli_test::slurp;
using cli_test::source;
using cli_test::TempDir;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// One regex per line kind of a style, each written from the real line shape
// the style cites (tools/trace/README.md); a line must match one of them.
const std::map<std::string, std::vector<std::string>>& shapes() {
  static const std::string panos_ts = R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d{4} )";
  static const std::string ss_ts =
      R"([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d\.\d{3} \d\d\[(IKE|ENC|KNL|NET|CFG|CHD|JOB)\] <[^|>]+\|\d+> )";
  static const std::string asa_dbg =
      R"(([A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d |[A-Z][a-z]{2} \d\d \d{4} \d\d:\d\d:\d\d: %(ASA|FTD)-7-711001: ))";
  static const std::string asa_sys =
      R"([A-Z][a-z]{2} \d\d \d{4} \d\d:\d\d:\d\d: %(ASA|FTD)-\d-\d{6}: )";
  static const std::map<std::string, std::vector<std::string>> m =
      {
          {"panos",
           {panos_ts + R"(\[(INFO|PNTF|PWRN|PERR)\]: \{ \d+: \d*\}: .+)",
            R"(====> (Deleted|Installed) SA: [\d.]+\[\d+\]-[\d.]+\[\d+\] SPI:0x[0-9A-F]{8}/0x[0-9A-F]{8} <====)"}},
          {"strongswan",
           {ss_ts +
                R"((generating|parsed) (CREATE_CHILD_SA|INFORMATIONAL|IKE_AUTH|IKE_SA_INIT) (request|response) \d+ \[( [A-Za-z()_]+)* \])",
            ss_ts +
                R"((inbound |outbound )?CHILD_SA \w+\{\d+\} established with SPIs [0-9a-f]{8}_i [0-9a-f]{8}_o and TS \S+ === \S+)",
            ss_ts +
                R"(closing (expired )?CHILD_SA \w+\{\d+\} with SPIs [0-9a-f]{8}_i( \(\d+ bytes\))? [0-9a-f]{8}_o( \(\d+ bytes\))? and TS \S+ === \S+)",
            ss_ts + R"((sending|received) DELETE for (unknown )?ESP CHILD_SA with SPI [0-9a-f]{8})",
            ss_ts + R"(deleting SAD entry with SPI [0-9a-f]{8})",
            ss_ts + R"(establishing CHILD_SA \w+\{\d+\}( reqid \d+)?)",
            ss_ts +
                R"(detected (CHILD_REKEY|IKE_REKEY) collision with (CHILD_REKEY|CHILD_DELETE|IKE_REKEY))",
            ss_ts +
                R"(CHILD_SA rekey(/delete)? collision( won| lost)?, deleting (old|redundant) child \w+\{\d+\})",
            ss_ts + R"(IKE_SA rekey collision (won|lost), .+)",
            ss_ts + R"((sending|received) DELETE for IKE_SA \w+\[\d+\])",
            ss_ts + R"((deleting )?IKE_SA \w+\[\d+\] (established|rekeyed|between).*)",
            ss_ts + R"(received TEMPORARY_FAILURE notify, will retry later)",
            ss_ts + R"(unable to rekey, ESP CHILD_SA with SPI [0-9a-f]{8} not found)",
            ss_ts + R"(peer didn't find the CHILD_SA we tried to rekey)",
            ss_ts + R"(retransmit \d+ of request with message ID \d+)"}},
          {"strongswan-6",
           {ss_ts +
                R"((generating|parsed) (CREATE_CHILD_SA|INFORMATIONAL|IKE_AUTH|IKE_SA_INIT) (request|response) \d+ \[( [A-Za-z()_]+)* \])",
            ss_ts +
                R"((inbound |outbound )?CHILD_SA \w+\{\d+\} established with SPIs [0-9a-f]{8}_i [0-9a-f]{8}_o and TS \S+ === \S+)",
            ss_ts +
                R"(closing (expired )?CHILD_SA \w+\{\d+\} with SPIs [0-9a-f]{8}_i( \(\d+ bytes\))? [0-9a-f]{8}_o( \(\d+ bytes\))? and TS \S+ === \S+)",
            ss_ts + R"((sending|received) DELETE for (unknown )?ESP CHILD_SA with SPI [0-9a-f]{8})",
            ss_ts + R"(deleting SAD entry with SPI [0-9a-f]{8})",
            ss_ts + R"(establishing CHILD_SA \w+\{\d+\}( reqid \d+)?)",
            ss_ts + R"(detected rekey collision for CHILD_SA \w+\{\d+\})",
            ss_ts + R"(detected IKE_REKEY collision with (IKE_REKEY|CHILD_DELETE))",
            ss_ts +
                R"(CHILD_SA rekey collision (won|lost), deleting (old|redundant) child \w+\{\d+\})",
            ss_ts +
                R"(closing CHILD_SA \w+\{\d+\} we tried to rekey because the peer started to delete it before receiving our request)",
            ss_ts +
                R"(rekeyed CHILD_SA \w+\{\d+\} with SPIs [0-9a-f]{8}_i [0-9a-f]{8}_o with \w+\{\d+\} with SPIs [0-9a-f]{8}_i [0-9a-f]{8}_o)",
            ss_ts + R"(delay closing of inbound CHILD_SA \w+\{\d+\} for \d+s)",
            ss_ts + R"(IKE_SA rekey collision (won|lost), .+)",
            ss_ts + R"((sending|received) DELETE for IKE_SA \w+\[\d+\])",
            ss_ts + R"((deleting )?IKE_SA \w+\[\d+\] (established|rekeyed|between).*)",
            ss_ts + R"(received TEMPORARY_FAILURE notify)",
            ss_ts +
                R"(abort active rekeying for CHILD_SA \w+\{\d+\} because the peer successfully rekeyed it before receiving our request(, waiting for delete)?)",
            ss_ts + R"(unable to rekey, ESP CHILD_SA with SPI [0-9a-f]{8} not found)",
            ss_ts +
                R"(peer didn't find CHILD_SA \w+\{\d+\} we tried to rekey, create a replacement)",
            ss_ts + R"(retransmit \d+ of request with message ID \d+)"}},
          {"cisco-asa",
           {asa_dbg +
                R"(IKEv2-PLAT-5: RECV PKT \[(IKE_SA_INIT|IKE_AUTH|CREATE_CHILD_SA|INFORMATIONAL)\] \[[\d.]+\]:\d+->\[[\d.]+\]:\d+ InitSPI=0x[0-9A-F]{16} RespSPI=0x[0-9A-F]{16} MID=[0-9A-F]{8})",
            asa_dbg +
                R"(IKEv2-PROTO-4: \(\d+\): Received Packet \[From [\d.]+:\d+/To [\d.]+:\d+/VRF i0:f0\])",
            asa_dbg +
                R"(IKEv2-PLAT-4: Received PFKEY (update|add) SA for SPI 0x[0-9A-F]{8}, error FALSE)",
            asa_dbg + R"(IKEv2-PLAT-4: Received PFKEY delete SA for SPI 0x[0-9A-F]{8} error FALSE)",
            R"((|[A-Z][a-z]{2} \d\d \d{4} \d\d:\d\d:\d\d: %(ASA|FTD)-7-711001: )\(\d+\): Initiator SPI : [0-9A-F]{16} - Responder SPI : [0-9A-F]{16} Message id: \d+)",
            R"((|[A-Z][a-z]{2} \d\d \d{4} \d\d:\d\d:\d\d: %(ASA|FTD)-7-711001: )\(\d+\): IKEv2 (IKE_SA_INIT|IKE_AUTH|CREATE_CHILD_SA|INFORMATIONAL) Exchange (REQUEST|RESPONSE))",
            asa_sys +
                R"(IPSEC: An (inbound|outbound) LAN-to-LAN SA \(SPI= 0x[0-9A-F]{8}\) between [\d.]+ and [\d.]+ \(user= [\d.]+\) has been (created|deleted)\.)",
            asa_sys +
                R"(IPSEC: Received an ESP packet \(SPI= 0x[0-9A-F]{8}, sequence number= 0x[0-9A-F]{8}\) from [\d.]+ to [\d.]+ with an invalid SPI\.)"}},
          {"libreswan",
           {R"([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d\.\d{6}: "\w+" #\d+: (initiating rekey to replace Child SA #\d+ using IKE SA #\d+|sent CREATE_CHILD_SA request to rekey (Child SA #\d+ using IKE SA #\d+|IKE SA #\d+ \(using IKE SA #\d+\))|(initiator|responder) (rekeyed Child SA #\d+|established Child SA) using #\d+; IPsec tunnel \[[\d./]+===[\d./]+\] \{ESP/ESN=>0x[0-9a-f]{8} <0x[0-9a-f]{8} xfrm=\S+ DPD=passive\}|sent INFORMATIONAL request to delete established Child SA using IKE SA #\d+|deleting established Child SA using IKE SA #\d+|ESP traffic information: in=\d+B out=\d+B|received delete request for ESP Child SA with outbound SPI [0-9a-f]{8}; Child SA not found|(initiator|responder) established IKE SA; .+|(initiator|responder) rekeyed IKE SA #\d+ \{.+\}))"}},
          {"cisco-ios",
           {R"([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d\.\d{3}: IKEv2:\(SESSION ID = \d+,SA ID = \d+\):(Sending Packet \[To [\d.]+:\d+/From [\d.]+:\d+/VRF i0:f0\]|Received Packet \[From [\d.]+:\d+/To [\d.]+:\d+/VRF i0:f0\]|Sending DELETE INFO message for IPsec SA \[SPI: 0x[0-9A-F]{8}\]|Processing ACK to informational exchange|Deleting SA))",
            R"(Initiator SPI : [0-9A-F]{16} - Responder SPI : [0-9A-F]{16} Message id: \d+)",
            R"(IKEv2 (IKE_SA_INIT|IKE_AUTH|CREATE_CHILD_SA|INFORMATIONAL) Exchange (REQUEST|RESPONSE))",
            R"(Payload contents:)", R"( ENCR)",
            R"(\*?[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d\.\d{3}: %CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC packet has invalid spi for destaddr=[\d.]+, prot=50, spi=0x[0-9A-F]{8}\(\d+\), srcaddr=[\d.]+, input interface=\S+)"}},
          {"juniper-srx",
           {R"([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d  \S+ kmd\[\d+\]: KMD_PM_SA_ESTABLISHED: Local gateway: [\d.]+, Remote gateway: [\d.]+, Local ID: ipv4_subnet\(any:0,\[0\.\.7\]=[\d./]+\), Remote ID: ipv4_subnet\(any:0,\[0\.\.7\]=[\d./]+\), Direction: (inbound|outbound), SPI: 0x[0-9a-f]{8}, AUX-SPI: 0, Mode: Tunnel, Type: dynamic, Traffic-selector:  FC Name:)",
            R"([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d  \S+ kmd\[\d+\]: IKE negotiation successfully completed\. IKE Version: 2, VPN: \S+ Gateway: \S+, Local: [\d.]+/\d+, Remote: [\d.]+/\d+, .*Role: (Initiator|Responder))",
            R"([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d  \S+ kmd\[\d+\]: KMD_VPN_UP_ALARM_USER: VPN \S+ from [\d.]+ is up\. .+)"}},
      };
  return m;
}

// The first line of `text` that matches none of the style's shapes ("" if all do).
std::string first_odd_line(const std::string& style, const std::string& text) {
  std::vector<std::regex> res;
  for (const auto& s : shapes().at(style)) res.emplace_back(s);
  for (const std::string& l : lines_of(text)) {
    bool ok = false;
    for (const auto& re : res) ok = ok || std::regex_match(l, re);
    if (!ok) return l;
  }
  return {};
}

const std::string kKb = "scenarios/kb-incident.yaml";
const std::string kKbSel = " --first cant_find_sa --window 2s";

struct StyleCase {
  const char* style;
  const char* scenario;  // tests/cli/trace-scenarios/<scenario>.yaml, or "" for the KB incident
  const char* first;
};

std::string golden_path(const std::string& name) {
  return source("tests/cli/golden/" + name);
}

void check_golden(const std::string& name, const std::string& actual) {
  if (std::getenv("REKEYSIM_UPDATE_GOLDEN")) {
    std::ofstream(golden_path(name), std::ios::binary) << actual;
    return;
  }
  INFO("golden file " << golden_path(name)
                      << " (REKEYSIM_UPDATE_GOLDEN=1 rewrites it after a deliberate change)");
  CHECK(slurp(golden_path(name)) == actual);
}

std::string capture(const std::string& text, const std::string& pattern) {
  std::smatch m;
  const std::regex re(pattern);
  if (!std::regex_search(text, m, re)) return {};
  return m[1];
}

}  // namespace

TEST_CASE("Log styles: the style names the trace views render are the profiles' log_style names") {
  const auto a = models::known_log_styles();
  const auto b = rekeysim::trace::log_style_names();
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i] == b[i]);
}

TEST_CASE(
    "Log styles: every line of every style has a real line shape of its vendor, for each peer "
    "alone, in a normal rekey, the KB incident and each collision kind") {
  const std::vector<std::pair<std::string, std::string>> runs = {
      {source(kKb), kKbSel},
      {source("tests/cli/trace-scenarios/normal-rekey.yaml"), " --trial 0 --window 10s"},
      {source("tests/cli/trace-scenarios/simultaneous-child-rekey.yaml"),
       " --first simultaneous_child_rekey --window 10s"},
      {source("tests/cli/trace-scenarios/crossing-delete.yaml"),
       " --first crossing_delete --window 10s"},
      {source("tests/cli/trace-scenarios/rekey-vs-delete.yaml"),
       " --first rekey_vs_delete --window 10s"},
      {source("tests/cli/trace-scenarios/simultaneous-ike-rekey.yaml"),
       " --first simultaneous_ike_rekey --window 10s"},
      // A strongSwan pair whose third collision is settled by TEMPORARY_FAILURE.
      {source("scenarios/strongswan-defaults.yaml"),
       " --first simultaneous_child_rekey --nth 3 --window 3s"},
  };
  for (const auto& [style, _] : shapes()) {
    SECTION(style) {
      std::size_t total = 0;
      for (const auto& [scn, sel] : runs) {
        for (const char* peer : {"a", "b"}) {
          const auto r = run("trace " + scn + sel + " --style " + style + " --peer " + peer);
          INFO(scn << sel << " --style " << style << " --peer " << peer);
          REQUIRE(r.status == 0);
          CHECK(first_odd_line(style, r.out) == "");
          CHECK(r.out.find("A(") == std::string::npos);  // one device's log: no peer prefix
          total += lines_of(r.out).size();
        }
      }
      CHECK(total > 20);
    }
  }
  // The ASA's syslog-wrapped form (FTD as well).
  for (const char* wrap : {"asa", "ftd"}) {
    const auto r =
        run("trace " + source(kKb) + kKbSel + " --style cisco-asa --peer b --syslog-wrap " + wrap);
    REQUIRE(r.status == 0);
    CHECK(first_odd_line("cisco-asa", r.out) == "");
    const std::string tag = std::string("%") + (wrap == std::string("asa") ? "ASA" : "FTD") +
                            "-7-711001: IKEv2-PLAT-5: RECV PKT";
    CHECK(r.out.find(tag) != std::string::npos);
  }
}

TEST_CASE(
    "Log styles: the line regexes accept every line of those kinds in real logs: a strongSwan "
    "5.9.8 charon log, the PAN-OS KB's ikemgr.log, an IOS-XE syslog line and a Juniper SRX kmd "
    "log") {
  // strongSwan: the real log has no date and no <conn|id> (ike_name off);
  // both are added so the same regexes apply.
  const std::regex kind(
      R"(^(\d\d:\d\d:\d\d\.\d{3}) (\d\d\[(IKE|ENC)\] )((generating|parsed) (CREATE_CHILD_SA|INFORMATIONAL) .*|.*CHILD_SA net\{.*|(sending|received) DELETE .*|detected .*|CHILD_SA rekey.*)$)");
  std::vector<std::regex> res;
  for (const auto& s : shapes().at("strongswan")) res.emplace_back(s);
  int checked = 0;
  for (const std::string& l :
       lines_of(slurp(source("tests/cli/data/strongswan-5.9.8-identical-timers-a.log")))) {
    std::smatch m;
    if (!std::regex_match(l, m, kind)) continue;
    if (m[4].str().find("state change") != std::string::npos) continue;  // DBG2 [CHD], not printed
    const std::string as_logged =
        "Jul  6 " + m[1].str() + " " + m[2].str() + "<rk|1> " + m[4].str();
    bool ok = false;
    for (const auto& re : res) ok = ok || std::regex_match(as_logged, re);
    INFO(l);
    CHECK(ok);
    ++checked;
  }
  CHECK(checked > 100);
  // PAN-OS: the KB's sample (SPI digits masked with X in the source; 0 here).
  std::vector<std::regex> pan;
  for (const auto& s : shapes().at("panos")) pan.emplace_back(s);
  int pan_checked = 0;
  for (std::string l : lines_of(slurp(source("tests/trace/data/panos-ikemgr-delete-race.log")))) {
    for (char& ch : l) {
      if (ch == 'X') ch = '0';
    }
    bool ok = false;
    for (const auto& re : pan) ok = ok || std::regex_match(l, re);
    INFO(l);
    CHECK(ok);
    ++pan_checked;
  }
  CHECK(pan_checked == 8);
  // Cisco IOS-XE: the invalid-SPI syslog line of a public lab log ('*' = clock
  // not NTP-synced; the destination address, elided in the source, and the
  // source address are documentation addresses here).
  {
    std::vector<std::regex> ios;
    for (const auto& s : shapes().at("cisco-ios")) ios.emplace_back(s);
    const std::string l =
        "*Oct 24 04:31:10.058: %CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC packet has "
        "invalid spi for destaddr=192.0.2.1, prot=50, spi=0x3EA71AED(1051138797), "
        "srcaddr=203.0.113.1, input interface=GigabitEthernet1";
    bool ok = false;
    for (const auto& re : ios) ok = ok || std::regex_match(l, re);
    CHECK(ok);
  }
  // Juniper SRX: lines of a public `show log kmd-logs` sample (an SRX to
  // Azure VPN Gateway lab, 2024), addresses replaced by documentation ones.
  std::vector<std::regex> srx;
  for (const auto& s : shapes().at("juniper-srx")) srx.emplace_back(s);
  for (const std::string l :
       {"Nov 28 11:24:02  srx kmd[13696]: KMD_PM_SA_ESTABLISHED: Local gateway: 10.200.0.5, "
        "Remote gateway: 203.0.113.7, Local ID: ipv4_subnet(any:0,[0..7]=0.0.0.0/0), Remote "
        "ID: ipv4_subnet(any:0,[0..7]=0.0.0.0/0), Direction: outbound, SPI: 0x3bb47cb4, "
        "AUX-SPI: 0, Mode: Tunnel, Type: dynamic, Traffic-selector:  FC Name:",
        "Nov 28 11:24:02  srx kmd[13696]: IKE negotiation successfully completed. IKE Version: "
        "2, VPN: VPN_AZURE Gateway: VPN_AZURE_IKE_GW, Local: 10.200.0.5/4500, Remote: "
        "203.0.113.7/4500, Local IKE-ID: 198.51.100.9, Remote IKE-ID: 203.0.113.7, VR-ID: 4, "
        "Role: Responder"}) {
    bool ok = false;
    for (const auto& re : srx) ok = ok || std::regex_match(l, re);
    INFO(l);
    CHECK(ok);
  }
}

TEST_CASE(
    "Log styles: --style auto (the default) on the KB incident prints PAN-OS ikemgr lines for A "
    "(panos) and Cisco ASA lines for B (cisco-asa), never one vendor's lines for the other") {
  const auto r = run("trace " + source(kKb) + kKbSel);
  REQUIRE(r.status == 0);
  const std::regex pan(
      R"(^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d{4} \[(INFO|PNTF|PWRN)\]: \{ \d+: \d*\}: |^====> )");
  const std::regex asa(
      R"(^([A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d IKEv2-(PLAT|PROTO)-\d: |[A-Z][a-z]{2} \d\d \d{4} \d\d:\d\d:\d\d: %ASA-\d-\d{6}: |\(\d+\): ))");
  int a = 0;
  int b = 0;
  for (const std::string& l : lines_of(r.out)) {
    INFO(l);
    if (l.starts_with("A(panos)| ")) {
      CHECK(std::regex_search(l.substr(10), pan));
      CHECK_FALSE(std::regex_search(l.substr(10), asa));
      ++a;
    } else if (l.starts_with("B(cisco-asa)| ")) {
      CHECK(std::regex_search(l.substr(14), asa));
      CHECK_FALSE(std::regex_search(l.substr(14), pan));
      ++b;
    } else {
      FAIL("line of no peer");
    }
  }
  CHECK(a > 3);
  CHECK(b > 3);
  CHECK(r.out.find("can't find sa for proto ESP spi 0x") != std::string::npos);
  CHECK(r.out.find("B(cisco-asa)| Jul 06 ") != std::string::npos);
  // The explicit style name gives the same bytes.
  CHECK(run("trace " + source(kKb) + kKbSel + " --style auto").out == r.out);
  // A scenario (or --set) may name a peer's log style over its profile's.
  const auto lib =
      run("trace " + source(kKb) + kKbSel + " --set peers.b.log_style=libreswan --peer b");
  REQUIRE(lib.status == 0);
  CHECK(lib.out.find("\"conn\" #") != std::string::npos);
  CHECK(lib.out.find("IKEv2-PLAT") == std::string::npos);
}

TEST_CASE(
    "Log styles: golden logs of the KB incident in every style, each peer alone, and each new "
    "style on a simultaneous rekey, identical at 1 and 2 threads") {
  struct G {
    std::string name;
    std::string args;
  };
  std::vector<G> cases;
  const std::string kb = "trace " + source(kKb) + kKbSel;
  for (std::string_view s : rekeysim::trace::log_style_names()) {
    cases.push_back({"kb-incident." + std::string(s) + ".log", kb + " --style " + std::string(s)});
  }
  cases.push_back({"kb-incident.auto.log", kb});
  cases.push_back({"kb-incident.auto.peer-a.log", kb + " --peer a"});
  cases.push_back({"kb-incident.auto.peer-b.log", kb + " --peer b"});
  cases.push_back({"kb-incident.cisco-asa.ftd.peer-b.log",
                   kb + " --style cisco-asa --peer b --syslog-wrap ftd"});
  cases.push_back(
      {"kb-incident.panos.inferred.peer-a.log", kb + " --style panos --peer a --inferred"});
  const std::string sim = "trace " +
                          source("tests/cli/trace-scenarios/simultaneous-child-rekey.yaml") +
                          " --first simultaneous_child_rekey --window 10s";
  for (const char* s : {"strongswan-6", "cisco-asa", "libreswan", "cisco-ios", "juniper-srx"}) {
    for (const char* p : {"a", "b"}) {
      cases.push_back({std::string("simultaneous-child-rekey.") + s + ".peer-" + p + ".log",
                       sim + " --style " + s + " --peer " + p});
    }
  }
  // strongSwan 6 aborting its own rekey after the peer's completed (TEMPORARY_FAILURE).
  cases.push_back({"strongswan-defaults.strongswan-6.nth3.log",
                   "trace " + source("scenarios/strongswan-defaults.yaml") +
                       " --first simultaneous_child_rekey --nth 3 --window 3s"});
  for (const auto& g : cases) {
    SECTION(g.name) {
      const auto one = run(g.args + " --threads 1");
      const auto two = run(g.args + " --threads 2");
      REQUIRE(one.status == 0);
      CHECK(one.out == two.out);
      CHECK_FALSE(one.out.empty());
      check_golden(g.name, one.out);
    }
  }
}

TEST_CASE(
    "Log styles: --peer gives one device's lines exactly as the interleaved log has them, "
    "without the prefix") {
  const auto both = run("trace " + source(kKb) + kKbSel);
  const auto a = run("trace " + source(kKb) + kKbSel + " --peer a");
  const auto b = run("trace " + source(kKb) + kKbSel + " --peer b");
  REQUIRE(both.status == 0);
  REQUIRE(a.status == 0);
  REQUIRE(b.status == 0);
  std::string ea;
  std::string eb;
  for (const std::string& l : lines_of(both.out)) {
    if (l.starts_with("A(panos)| ")) ea += l.substr(10) + "\n";
    if (l.starts_with("B(cisco-asa)| ")) eb += l.substr(14) + "\n";
  }
  CHECK(a.out == ea);
  CHECK(b.out == eb);
}

TEST_CASE(
    "Log styles: the scenario's trace: section names and dates the log, flags override it, "
    "and the first message ID lines up with a customer's") {
  TempDir dir;
  const std::string scn = dir / "kb-named.yaml";
  std::ofstream(scn) << slurp(source(kKb)) << R"(
trace:
  peer: a
  start: "2025-07-06 03:25:00"
  utc_offset: "-0400"
  gateway: awspanw-panwfwx
  tunnel: awspanw-panwfwx:panwon_proxy
  gateway_id: 7
  tunnel_id: 60
  a: {address: 10.18.152.5, first_message_id: 0x344}
  b: {address: 192.104.67.227}
)";
  const auto r = run("trace " + scn + kKbSel);
  REQUIRE(r.status == 0);
  // Peer A alone (trace.peer), the KB's names and addresses, the date set.
  CHECK(r.out.find("A(panos)|") == std::string::npos);
  // A's first request in the window is its CREATE_CHILD_SA (0x344; ikemgr.log
  // shows it only with --inferred), the DELETE the next one.
  CHECK(r.out.find("IKEv2 INFO transmit: gateway awspanw-panwfwx, message_id: 0x00000345") !=
        std::string::npos);
  CHECK(run("trace " + scn + kKbSel + " --inferred").out.find("message id:0x00000344.") !=
        std::string::npos);
  CHECK(r.out.find("IPSEC KEY DELETED; tunnel awspanw-panwfwx:panwon_proxy") != std::string::npos);
  CHECK(r.out.find("Deleted SA: 10.18.152.5[4500]-192.104.67.227[4500]") != std::string::npos);
  // t = 0 is 03:25:00 -0400 and the episode ~7h12m later.
  CHECK(r.out.starts_with("2025-07-06 10:37:"));
  // --set trace.* overrides a key of the section, like any scenario key.
  const auto set =
      run("trace " + scn + kKbSel + " --set trace.gateway=fw1 --set trace.a.first_message_id=0x10");
  REQUIRE(set.status == 0);
  CHECK(set.out.find("IKEv2 INFO transmit: gateway fw1, message_id: 0x00000011") !=
        std::string::npos);
  // Flags override the section.
  const auto f =
      run("trace " + scn + kKbSel +
          " --peer b --start '2024-01-02 00:00:00' --utc-offset +0100 --first-message-id-a 7");
  REQUIRE(f.status == 0);
  CHECK(f.out.starts_with("Jan 02 07:12:"));
  CHECK(f.out.find("MID=00000007") != std::string::npos);
}

TEST_CASE(
    "Log styles: trace.<peer>.first_child_spi shows each peer's first inbound Child SPI as "
    "given in both peers' logs, JSONL and flags, and the default is unchanged") {
  TempDir dir;
  const std::string base = "trace " + source(kKb) + kKbSel + " --style panos";
  const auto plain_a = run(base + " --peer a");
  REQUIRE(plain_a.status == 0);
  // The simulated SPIs (kb-incident, seed fixed): A receives on 0xB0807687, B on 0x9181EA6F.
  REQUIRE(plain_a.out.find("SPI:0xB0807687/0x9181EA6F") != std::string::npos);
  const std::string set =
      " --set trace.a.first_child_spi=0xc1a2b3c4 --set trace.b.first_child_spi=0x0000abcd";
  const auto a = run(base + " --peer a" + set);
  const auto b = run(base + " --peer b" + set + " --jsonl " + std::string(dir / "t.jsonl"));
  REQUIRE(a.status == 0);
  REQUIRE(b.status == 0);
  // A's own inbound SPI and B's outbound one (the same SA) carry the given value.
  CHECK(a.out.find("SPI:0xC1A2B3C4/0x0000ABCD") != std::string::npos);
  CHECK(a.out.find("0xB0807687") == std::string::npos);
  CHECK(b.out.find("spi=0x0000ABCD") != std::string::npos);
  CHECK(b.out.find("delete proto ESP spi 0xC1A2B3C4") != std::string::npos);
  CHECK(b.out.find("0x9181EA6F") == std::string::npos);
  const std::string jsonl = slurp(dir / "t.jsonl");
  CHECK(jsonl.find("0xc1a2b3c4") != std::string::npos);
  CHECK(jsonl.find("0xb0807687") == std::string::npos);
  // The flag gives the same log as the key.
  CHECK(run(base + " --peer a --first-child-spi-a 0xc1a2b3c4 --first-child-spi-b 0xabcd").out ==
        a.out);
  // Bad values exit 2 with the position and the expected form.
  auto bad = [](const cli_test::Result& r, const std::string& needle) {
    INFO(r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find(needle) != std::string::npos);
  };
  for (const char* v : {"0x0", "12345678", "0x123456789", "0xZZ"}) {
    bad(run(base + " --set trace.a.first_child_spi=" + std::string(v)),
        "--set:1:25: error: trace.a.first_child_spi: \"" + std::string(v) +
            "\" is not a Child SA SPI; expected a non-zero 32-bit SPI in hex like 0xc1a2b3c4");
  }
  const std::string scn = dir / "same.yaml";
  std::ofstream(scn) << slurp(source(kKb))
                     << "trace:\n  a: {first_child_spi: 0x1}\n  b: {first_child_spi: 0x1}\n";
  const std::string line = std::to_string(lines_of(slurp(source(kKb))).size() + 3);
  bad(run("trace " + scn + kKbSel),
      "same.yaml:" + line + ":24: error: trace.b.first_child_spi: is the same SPI as");
  bad(run(base + " --first-child-spi-a 0x5 --first-child-spi-b 0x5"),
      "--first-child-spi-b: is the same SPI as peer A's");
}

TEST_CASE(
    "Log styles: trace.<peer>.first_ike_spi shows each peer's own IKE SPI as given in IKE "
    "headers, SA payloads, JSONL and the ladder, roles from the whole trial, flags and bad "
    "values") {
  TempDir dir;
  const std::string base = "trace " + source(kKb) + kKbSel;
  const std::string set =
      " --set trace.a.first_ike_spi=0x1111222233334444 --set trace.b.first_ike_spi=0xabcdef";
  // The simulated IKE SA of the window (kb-incident, seed fixed): A created
  // it at t = 0 (initiator SPI 0x9c3dea5f84bcf121), B answered with responder
  // SPI 0x8c6bec90e002e8e2, which the Cisco styles print when none is given
  // (read from the IKE_SA_INIT response, far outside the window).
  const auto plain_ios = run(base + " --style cisco-ios --peer a");
  REQUIRE(plain_ios.status == 0);
  REQUIRE(plain_ios.out.find("Initiator SPI : 9C3DEA5F84BCF121 - Responder SPI : "
                             "8C6BEC90E002E8E2") != std::string::npos);
  // Both peers' IKE headers: A's SPI as initiator, B's as responder.
  for (const char* peer : {"a", "b"}) {
    const auto ios = run(base + " --style cisco-ios --peer " + peer + set);
    INFO(ios.err);
    REQUIRE(ios.status == 0);
    CHECK(ios.out.find("Initiator SPI : 1111222233334444 - Responder SPI : 0000000000ABCDEF") !=
          std::string::npos);
    CHECK(ios.out.find("9C3DEA5F84BCF121") == std::string::npos);
  }
  const auto asa = run(base + " --style cisco-asa --inferred --peer b" + set + " --jsonl " +
                       std::string(dir / "t.jsonl"));
  REQUIRE(asa.status == 0);
  CHECK(asa.out.find("InitSPI=0x1111222233334444 RespSPI=0x0000000000ABCDEF") != std::string::npos);
  const std::string jsonl = slurp(dir / "t.jsonl");
  CHECK(jsonl.find("\"ike_sa\":\"0x1111222233334444\"") != std::string::npos);
  CHECK(jsonl.find("0x9c3dea5f84bcf121") == std::string::npos);
  // The whole trial: the IKE_SA_INIT SA payloads carry both peers' own SPIs,
  // as the log, JSONL and ladder print them.
  const auto whole = run("trace " + source(kKb) + " --trial 0 --style plain" + set + " --svg " +
                         std::string(dir / "l.svg"));
  REQUIRE(whole.status == 0);
  CHECK(whole.out.find("IKE_SA_INIT req #0 SA(IKE 0x1111222233334444)") != std::string::npos);
  CHECK(whole.out.find("IKE_SA_INIT resp #0 SA(IKE 0x0000000000abcdef)") != std::string::npos);
  CHECK(whole.out.find("0x8c6bec90e002e8e2") == std::string::npos);
  const std::string svg = slurp(dir / "l.svg");
  CHECK(svg.find("IKE 0x0000000000abcdef") != std::string::npos);
  CHECK(svg.find("0x8c6bec90e002e8e2") == std::string::npos);
  // Episode 3 (at 6 d) is on an IKE SA B created by an IKE rekey
  // before the window: B is its initiator, A's own SPI the responder SPI.
  const std::string third = " --nth 3 --style cisco-ios --peer a";
  const auto ep3 = run(base + third);
  REQUIRE(ep3.out.find("Initiator SPI : 991D333292D36644") != std::string::npos);
  const auto ep3_set = run(base + third + " --first-ike-spi-a 0xaaaa --first-ike-spi-b 0xbbbb");
  CHECK(ep3_set.out.find("Initiator SPI : 000000000000BBBB - Responder SPI : 000000000000AAAA") !=
        std::string::npos);
  CHECK(ep3_set.out.find("991D333292D36644") == std::string::npos);
  // The flags give the same log as the keys.
  CHECK(run(base + " --style cisco-ios --peer a --first-ike-spi-a 0x1111222233334444 "
                   "--first-ike-spi-b 0xABCDEF")
            .out == run(base + " --style cisco-ios --peer a" + set).out);
  // Bad values exit 2 with the position and the expected form.
  auto bad = [](const cli_test::Result& r, const std::string& needle) {
    INFO(r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find(needle) != std::string::npos);
  };
  const std::string form = "expected a non-zero 64-bit IKE SPI in hex like 0x1a2b3c4d5e6f7081";
  for (const char* v : {"0x0", "12345678", "0x12345678901234567", "0xZZ", "0x"}) {
    bad(run(base + " --set trace.b.first_ike_spi=" + std::string(v)),
        "--set:1:23: error: trace.b.first_ike_spi: \"" + std::string(v) +
            "\" is not an IKE SA SPI; " + form);
    bad(run(base + " --first-ike-spi-a " + std::string(v)),
        "error: --first-ike-spi-a: \"" + std::string(v) + "\" is not an IKE SA SPI; " + form);
  }
  const std::string scn = dir / "same.yaml";
  std::ofstream(scn) << slurp(source(kKb))
                     << "trace:\n  a: {first_ike_spi: 0x1}\n  b: {first_ike_spi: 0x01}\n";
  const std::string line = std::to_string(lines_of(slurp(source(kKb))).size() + 3);
  bad(run("trace " + scn + kKbSel),
      "same.yaml:" + line + ":22: error: trace.b.first_ike_spi: is the same SPI as");
  bad(run(base + " --first-ike-spi-a 0x5 --first-ike-spi-b 0x05"),
      "--first-ike-spi-b: is the same SPI as peer A's");
}

TEST_CASE("Log styles: bad styles, peers, flags and trace: keys exit 2 naming the problem") {
  const std::string kb = "trace " + source(kKb) + kKbSel;
  auto check = [](const cli_test::Result& r, const std::string& needle) {
    INFO(r.err);
    CHECK(r.status == 2);
    CHECK(r.err.find(needle) != std::string::npos);
  };
  check(run(kb + " --style fortios"),
        "--style: unknown style \"fortios\"; expected auto, plain, panos");
  check(run(kb + " --peer c"), "--peer: unknown peer \"c\"; expected a or b");
  check(run(kb + " --syslog-wrap pix"), "--syslog-wrap: unknown form \"pix\"");
  check(run(kb + " --start 2025-13-01"), "--start: \"2025-13-01\" is not a local date and time");
  check(run(kb + " --utc-offset EST"), "--utc-offset: \"EST\" is not a UTC offset");
  check(run(kb + " --first-message-id-a 0xZZ"), "is not a 32-bit message ID");
  check(run(kb + " --nth 0"), "--nth: must be at least 1");
  check(run(kb.substr(0, kb.find(" --first")) + " --first rekeys"),
        "--first: unknown episode kind \"rekeys\"");

  TempDir dir;
  auto scenario_with = [&](const std::string& name, const std::string& trace) {
    const std::string p = dir / name;
    std::ofstream(p) << slurp(source(kKb)) << "trace:\n" << trace;
    return p;
  };
  // The line of the `trace:` key is the file's last lines: count them.
  const int base = static_cast<int>(lines_of(slurp(source(kKb))).size());
  const std::string l1 = std::to_string(base + 2);
  check(run("trace " + scenario_with("k1.yaml", "  peer: c\n") + kKbSel),
        "k1.yaml:" + l1 + ":9: error: trace.peer");
  check(run("trace " + scenario_with("k2.yaml", "  gatway: x\n") + kKbSel),
        "k2.yaml:" + l1 +
            ":3: error: trace.gatway: unknown key \"gatway\" (did you mean \"gateway\"?)");
  check(run("trace " + scenario_with("k3.yaml", "  start: \"2025-02-30 00:00:00\"\n") + kKbSel),
        "k3.yaml:" + l1 +
            ":10: error: trace.start: \"2025-02-30 00:00:00\" is not a local date and time");
  check(run("trace " + scenario_with("k4.yaml", "  a: {first_message_id: -1}\n") + kKbSel),
        "trace.a.first_message_id: \"-1\" is not a 32-bit message ID");
  check(run("trace " + scenario_with("k5.yaml", "  style: asa\n") + kKbSel), "trace.style");
  check(run("trace " + scenario_with("k6.yaml", "  b: {address: 300.1.1.1}\n") + kKbSel),
        "trace.b.address: \"300.1.1.1\" is not an IPv4 address");
  check(run("trace " + source(kKb) + kKbSel + " --set trace.peer=c"),
        "--set:1:12: error: trace.peer: unknown value \"c\"");
  check(run("trace " + source(kKb) + kKbSel + " --set trace.a.adress=x"),
        "trace.a.adress: unknown key \"adress\" (did you mean \"address\"?)");
  // A profile's log_style is checked like any key.
  check(run("trace " + source(kKb) + " --set peers.b.log_style=asa"), "peers.b.log_style");
}

TEST_CASE(
    "Episodes: --first rekey shows a normal rekey (no collision, no can't find sa) and --nth "
    "picks a later one, the same at 1 and 2 threads") {
  TempDir dir;
  // PAN-OS as rekey responder deletes the old SA itself (strongSwan #1458), so
  // with the ASA initiating every KB rekey has crossing DELETEs; without that
  // one knob the KB peers still have normal rekeys to find.
  const std::string scn = source(kKb) + " --set peers.a.behaviour.responder_deletes_old=false";
  const auto r1 = run("trace " + scn + " --first rekey --window 5s --jsonl " + (dir / "1.jsonl") +
                      " --out " + (dir / "1.log"));
  REQUIRE(r1.status == 0);
  int rekeys = 0;
  std::istringstream in(slurp(dir / "1.jsonl"));
  for (std::string line; std::getline(in, line);) {
    const auto rec = nlohmann::json::parse(line);
    CHECK(rec["kind"] != "collision_detected");
    CHECK(rec["kind"] != "delete_for_unknown_spi");
    CHECK(rec["kind"] != "esp_dropped");
    if (rec["kind"] == "rekey_completed") ++rekeys;
  }
  CHECK(rekeys == 2);  // one per peer
  const std::string t1 = capture(r1.err, R"(first rekey at t=(\S+))");
  REQUIRE_FALSE(t1.empty());

  const auto n3 = run("trace " + scn + " --first rekey --nth 3 --window 5s --threads 1");
  const auto n3b = run("trace " + scn + " --first rekey --nth 3 --window 5s --threads 2");
  REQUIRE(n3.status == 0);
  CHECK(n3.out == n3b.out);
  CHECK(n3.err == n3b.err);
  CHECK(n3.err.find("episode 3 of rekey at t=") != std::string::npos);
  CHECK(n3.out != run("trace " + scn + " --first rekey --window 5s").out);
  // --nth over collisions: the second collision is a different one.
  const auto c1 = run("trace " + scn + " --first collision --window 1s");
  const auto c2 = run("trace " + scn + " --first collision --nth 2 --window 1s");
  REQUIRE(c1.status == 0);
  REQUIRE(c2.status == 0);
  CHECK(c1.err != c2.err);
  // More episodes than the trials searched hold: exit 1, said plainly.
  const auto none = run("trace " + scn + " --first rekey --nth 100000 --search 1");
  CHECK(none.status == 1);
  CHECK(none.err.find("no episode 100000 of rekey found in trials 0..0") != std::string::npos);
}

TEST_CASE(
    "Profiles: `rekeysim profiles FILE.yaml` shows a user's own profile, keys the file sets "
    "marked with their line, and a bad file exits 2 at its line and column") {
  TempDir dir;
  const std::string p = dir / "our-hub.yaml";
  std::ofstream(p) << "base: panos\nname: our-hub\nchild: {lifetime: 2h}\nlog_style: cisco-asa\n";
  const auto r = run("profiles " + p);
  REQUIRE(r.status == 0);
  CHECK(r.out.starts_with("our-hub: profile file "));
  CHECK(r.out.find("base: panos") != std::string::npos);
  CHECK(std::regex_search(r.out, std::regex(R"(child\.lifetime +2h +file +\S+our-hub\.yaml:3)")));
  CHECK(std::regex_search(r.out, std::regex(R"(log_style +cisco-asa +file +\S+our-hub\.yaml:4)")));
  CHECK(std::regex_search(
      r.out, std::regex(R"(child\.margin +\S+ +(assumption|confirmed) +.*\(panos\))")));
  // The lifetime rules, as for a builtin (README): the file's 2 h lifetime
  // with the base's margin rule, and the margin the file sets without a
  // vendor status.
  const auto rules = r.out.find("  lifetime rules (");
  REQUIRE(rules != std::string::npos);
  CHECK(r.out.find("      lifetime 2h (default): ", rules) != std::string::npos);
  CHECK(r.out.find("  child.lifetime set by ", rules) != std::string::npos);
  CHECK(r.out.find("  Phase 2 lifetime as configured: ", rules) != std::string::npos);
  const std::string own = dir / "own-margin.yaml";
  std::ofstream(own) << "base: strongswan\nchild: {lifetime: 2h, margin: 10m}\n";
  const auto m = run("profiles " + own);
  REQUIRE(m.status == 0);
  CHECK(m.out.find("    child: margin 10m before expiry, whatever the lifetime, fuzz 100% of the "
                   "margin\n      lifetime 2h (default): rekey between 1h40m and 1h50m\n") !=
        std::string::npos);
  CHECK(m.out.find("  child.margin set by ") != std::string::npos);
  // A builtin profile names its log style with a source.
  const auto asa = run("profiles cisco-asa");
  CHECK(std::regex_search(asa.out, std::regex(R"(log_style +cisco-asa +confirmed +Cisco TAC)")));

  const std::string bad = dir / "bad.yaml";
  std::ofstream(bad) << "base: panos\nchild: {lifetme: 2h}\n";
  const auto b = run("profiles " + bad);
  CHECK(b.status == 2);
  CHECK(b.err.find("bad.yaml:2:9: error: profile.child.lifetme: unknown key") != std::string::npos);
  const std::string style = dir / "style.yaml";
  std::ofstream(style) << "base: panos\nlog_style: fortigate\n";
  const auto s = run("profiles " + style);
  CHECK(s.status == 2);
  CHECK(s.err.find("style.yaml:2:12: error: log_style: unknown value \"fortigate\"") !=
        std::string::npos);
  const auto missing = run("profiles " + (dir / "nope.yaml"));
  CHECK(missing.status == 2);
  CHECK(missing.err.find("cannot be read") != std::string::npos);
}

TEST_CASE("Log styles: --syslog-wrap with no peer shown in the cisco-asa style is a usage error") {
  // It used to exit 0 and print PAN-OS lines unchanged.
  const std::string base = "trace " + source("scenarios/kb-incident.yaml") + " --first rekey";
  for (const char* extra : {" --style panos", " --peer a"}) {
    INFO(extra);
    const auto r = run(base + " --syslog-wrap ftd" + extra);
    CHECK(r.status == 2);
    CHECK(r.err.find("--syslog-wrap: applies to the cisco-asa style, and no peer shown is logged "
                     "in it") != std::string::npos);
    CHECK(r.out.empty());
  }
  // Peer B of the KB incident is an ASA: its lines are wrapped.
  const auto b = run(base + " --syslog-wrap ftd --peer b");
  CHECK(b.status == 0);
  CHECK(b.out.find(": %FTD-7-711001: IKEv2-") != std::string::npos);
}

TEST_CASE("Log styles: an address equal to the other peer's default address is refused") {
  // trace.b.address=192.0.2.1 (A's default) gave a capture of 192.0.2.1 -> 192.0.2.1.
  const std::string base =
      "trace " + source("tests/cli/trace-scenarios/normal-rekey.yaml") + " --first rekey";
  const auto b = run(base + " --set trace.b.address=192.0.2.1");
  CHECK(b.status == 2);
  CHECK(b.err.find("trace.b.address: \"192.0.2.1\" is the same address as peer A's (its "
                   "default)") != std::string::npos);
  const auto a = run(base + " --set trace.a.address=198.51.100.2");
  CHECK(a.status == 2);
  CHECK(a.err.find("trace.a.address: \"198.51.100.2\" is the same address as peer B's (its "
                   "default)") != std::string::npos);
  CHECK(run(base + " --set trace.b.address=198.51.100.9").status == 0);
}
