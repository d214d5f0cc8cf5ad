// `rekeysim trace --pcap`: the capture of the KB incident decoded by tshark
// with the decryption tables written beside it (IKE decrypted and its ICV
// correct, ESP ICVs correct, no malformed packet or expert warning), the
// episode's packets in the order the PAN-OS trace tells it, golden capture
// bytes identical at 1 and 2 threads, bad output paths, and the log's
// context (trace.<peer>.address, start, message and SPI mappings) carried
// into the capture.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "run_cli.hpp"

using cli_test::run;
using cli_test::slurp;
using cli_test::source;
using cli_test::TempDir;

namespace {

// Runs a shell command, returns its stdout (stderr discarded: tshark warns
// about running as root).
std::string shell(const std::string& cmd) {
  TempDir io;
  const std::string full = cmd + " >" + (io / "out") + " 2>/dev/null </dev/null";
  const int raw = std::system(full.c_str());
  INFO(cmd);
  REQUIRE(WIFEXITED(raw));
  REQUIRE(WEXITSTATUS(raw) == 0);
  return slurp(io / "out");
}

bool have_tshark() {
  return std::system("tshark --version >/dev/null 2>&1") == 0;
}

// tshark with every line of both decryption tables as a -o uat option, the way
// `rekeysim trace --pcap` prints it. The table lines contain no single quote.
std::string tshark(const std::string& pcap, const std::string& args) {
  std::string cmd = "tshark -n -r '" + pcap + "'";
  for (const char* uat : {"ikev2_decryption_table", "esp_sa"}) {
    std::istringstream in(slurp(pcap + "." + uat));
    for (std::string line; std::getline(in, line);) {
      REQUIRE(line.find('\'') == std::string::npos);
      cmd += " -o 'uat:" + std::string(uat) + ":" + line + "'";
    }
  }
  cmd += " -o esp.enable_encryption_decode:TRUE -o esp.enable_authentication_check:TRUE " + args;
  return shell(cmd);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// One decoded packet: tshark -T fields with the columns of kFields.
struct Packet {
  std::string src;   // outer source address
  int exchange = 0;  // 0: not IKE
  std::uint32_t message_id = 0;
  bool response = false;
  std::string notify;                // notify types, comma-separated
  std::string sa_spis;               // SPIs of SA payloads and notifies (isakmp.spi)
  std::vector<std::string> deleted;  // Delete payload SPIs, 8 hex digits
  std::string esp_spi;               // "" if not ESP
  std::uint64_t esp_seq = 0;
};

const char* const kFields =
    "-T fields -E separator='|' -e ip.src -e isakmp.exchangetype -e isakmp.messageid "
    "-e isakmp.flag_r -e isakmp.notify.msgtype -e isakmp.spi -e isakmp.delete.spi -e esp.spi "
    "-e esp.sequence";

std::vector<Packet> decode(const std::string& pcap) {
  std::vector<Packet> out;
  std::istringstream in(tshark(pcap, kFields));
  for (std::string line; std::getline(in, line);) {
    const auto f = split(line, '|');
    REQUIRE(f.size() == 9);
    Packet p;
    p.src = split(f[0], ',')[0];  // ESP rows also list the inner source
    if (!f[1].empty()) {
      p.exchange = std::stoi(f[1]);
      p.message_id = static_cast<std::uint32_t>(std::stoul(f[2], nullptr, 16));
      p.response = f[3] == "1" || f[3] == "True";
      p.notify = f[4];
      p.sa_spis = f[5];
      if (!f[6].empty()) p.deleted = split(lower(f[6]), ',');
    }
    if (!f[7].empty()) {
      p.esp_spi = lower(f[7]);
      p.esp_seq = std::stoull(f[8]);
    }
    out.push_back(p);
  }
  return out;
}

const std::string kA = "192.0.2.1";
const std::string kB = "198.51.100.2";

}  // namespace

TEST_CASE(
    "pcap: tshark decodes the KB incident capture: crossing REKEY_SA requests, responses, the "
    "DELETEs the PAN-OS trace names, ESP switching SPIs, no malformed packet") {
  REQUIRE(have_tshark());  // tools/setup.sh installs it
  TempDir dir;
  const std::string pcap = dir / "kb.pcap";
  const auto r =
      run("trace " + source("scenarios/kb-incident.yaml") +
          " --first cant_find_sa --style panos --inferred --window 100ms --pcap " + pcap);
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.err.find("open with: tshark -r " + pcap + " -o 'uat:ikev2_decryption_table:") !=
        std::string::npos);

  // What the PAN-OS trace says: each peer's rekey request (message ID) and the
  // SPI each peer's received DELETE named.
  const std::regex started(
      R"(^(A|B)\(.*child SA negotiation is started as initiator, rekey.*message id:0x([0-9A-F]{8}))");
  const std::regex deleted(R"(^(A|B)\(.*\]: \{ 7: \}: delete proto ESP spi 0x([0-9A-F]{8}))");
  std::map<std::string, std::uint32_t> request_id;  // requester address -> message ID
  std::map<std::string, std::string> delete_named;  // DELETE sender address -> SPI
  std::istringstream log(r.out);
  for (std::string line; std::getline(log, line);) {
    std::smatch m;
    if (std::regex_search(line, m, started)) {
      request_id[m[1] == "A" ? kA : kB] = static_cast<std::uint32_t>(std::stoul(m[2], nullptr, 16));
    }
    // "delete proto ESP spi" is logged by the receiver of the DELETE.
    if (std::regex_search(line, m, deleted)) delete_named[m[1] == "A" ? kB : kA] = lower(m[2]);
  }
  REQUIRE(request_id.size() == 2);
  REQUIRE(delete_named.size() == 2);

  const auto packets = decode(pcap);
  std::vector<Packet> ike;
  for (const auto& p : packets) {
    if (p.exchange) ike.push_back(p);
  }
  REQUIRE(ike.size() >= 6);

  // 1. The two crossing CREATE_CHILD_SA requests with N(REKEY_SA), one from
  //    each peer, with the message IDs the trace logged.
  std::set<std::string> requesters;
  for (int i = 0; i < 2; ++i) {
    INFO("IKE packet " << i);
    CHECK(ike[i].exchange == 36);
    CHECK_FALSE(ike[i].response);
    CHECK(ike[i].notify == "16393");
    CHECK(ike[i].message_id == request_id[ike[i].src]);
    requesters.insert(ike[i].src);
  }
  CHECK(requesters == std::set<std::string>{kA, kB});
  // 2. The two responses, each answering the other peer's request.
  for (int i = 2; i < 4; ++i) {
    INFO("IKE packet " << i);
    CHECK(ike[i].exchange == 36);
    CHECK(ike[i].response);
    CHECK(ike[i].message_id == request_id[ike[i].src == kA ? kB : kA]);
  }
  // 3. The two INFORMATIONAL requests with the DELETE payloads the PAN-OS
  //    trace names ("delete proto ESP spi 0x...").
  for (int i = 4; i < 6; ++i) {
    INFO("IKE packet " << i);
    CHECK(ike[i].exchange == 37);
    CHECK_FALSE(ike[i].response);
    CHECK(ike[i].deleted == std::vector<std::string>{delete_named[ike[i].src]});
  }

  // 4. ESP: each peer sends on its old SPI (the one the other peer's DELETE
  //    names: the other's inbound half) until the rekey, then switches, once
  //    for good, to a new SPI whose sequence numbers start at 1; the switch
  //    follows the first request.
  std::size_t first_request = 0;
  while (packets[first_request].exchange == 0) ++first_request;
  for (const std::string& sender : {kA, kB}) {
    INFO("ESP from " << sender);
    std::vector<std::pair<std::string, std::uint64_t>> runs;  // SPI, first sequence number
    std::size_t switch_at = 0;
    for (std::size_t i = 0; i < packets.size(); ++i) {
      const Packet& p = packets[i];
      if (p.esp_spi.empty() || p.src != sender) continue;
      if (runs.empty() || runs.back().first != p.esp_spi) {
        runs.push_back({p.esp_spi, p.esp_seq});
        if (runs.size() == 2) switch_at = i;
      }
    }
    REQUIRE(runs.size() >= 2);
    CHECK(runs.front().first == "0x" + delete_named[sender == kA ? kB : kA]);
    CHECK(runs.front().second > 1000);  // the old SA has carried traffic for hours
    CHECK(switch_at > first_request);
    for (std::size_t k = 1; k < runs.size(); ++k) {
      CHECK(runs[k].first != runs.front().first);
      CHECK(runs[k].second == 1);
    }
  }

  // Every packet decodes: IKE decrypted with a correct ICV, ESP ICVs correct,
  // nothing malformed, no expert warning or error.
  const std::string verbose = tshark(pcap, "-V");
  CHECK(count(verbose, "Malformed") == 0);
  CHECK(count(verbose, "Decrypted Data (") == ike.size());
  CHECK(count(verbose, "<HMAC_SHA1_96 [RFC2404]>[correct]") == ike.size());
  CHECK(count(verbose, "[Good: True]") == packets.size() - ike.size());
  CHECK(count(verbose, "[Bad: True]") == 0);
  const std::string expert = tshark(pcap, "-q -z expert,warn");
  CHECK(expert.find("Warns") == std::string::npos);
  CHECK(expert.find("Errors") == std::string::npos);
}

TEST_CASE(
    "pcap: for a normal rekey and every collision kind the capture's IKE packets are the "
    "trace's sent messages, field by field, all decrypted, none malformed") {
  REQUIRE(have_tshark());
  struct Case {
    const char* scenario;
    const char* select;
  };
  const Case cases[] = {
      {"normal-rekey", "--trial 0"},
      {"simultaneous-child-rekey", "--first simultaneous_child_rekey"},
      {"crossing-delete", "--first crossing_delete"},
      {"child-vs-ike-rekey", "--first child_vs_ike_rekey"},
      {"simultaneous-ike-rekey", "--first simultaneous_ike_rekey"},
      {"rekey-vs-delete", "--first rekey_vs_delete"},
      {"delete-vs-ike-rekey", "--first delete_vs_ike_rekey"},
  };
  const std::map<std::string, std::string> notify_number = {
      {"REKEY_SA", "16393"},       {"TEMPORARY_FAILURE", "43"},  {"CHILD_SA_NOT_FOUND", "44"},
      {"NO_ADDITIONAL_SAS", "35"}, {"NO_PROPOSAL_CHOSEN", "14"}, {"INVALID_KE_PAYLOAD", "17"}};
  const std::map<std::string, int> exchange_number = {
      {"IKE_SA_INIT", 34}, {"IKE_AUTH", 35}, {"CREATE_CHILD_SA", 36}, {"INFORMATIONAL", 37}};
  for (const auto& c : cases) {
    SECTION(c.scenario) {
      TempDir dir;
      const std::string pcap = dir / "t.pcap";
      const auto r =
          run("trace " + source(std::string("tests/cli/trace-scenarios/") + c.scenario + ".yaml") +
              " " + c.select + " --window 10s --jsonl " + (dir / "t.jsonl") + " --out " +
              (dir / "t.log") + " --pcap " + pcap);
      INFO(r.err);
      REQUIRE(r.status == 0);
      std::vector<nlohmann::json> sent;
      std::istringstream in(slurp(dir / "t.jsonl"));
      for (std::string line; std::getline(in, line);) {
        auto j = nlohmann::json::parse(line);
        if (j["kind"] == "message_sent" || j["kind"] == "retransmit") sent.push_back(j);
      }
      std::vector<std::vector<std::string>> rows;
      std::istringstream fields(
          tshark(pcap,
                 "-Y isakmp -T fields -E separator='|' -e ip.src -e isakmp.ispi "
                 "-e isakmp.exchangetype -e isakmp.messageid -e isakmp.flag_r "
                 "-e isakmp.notify.msgtype -e isakmp.spi -e isakmp.delete.spi -e isakmp.nonce"));
      for (std::string line; std::getline(fields, line);) rows.push_back(split(line, '|'));
      REQUIRE(!sent.empty());
      REQUIRE(rows.size() == sent.size());
      std::size_t plain = 0;  // IKE_SA_INIT: not encrypted (RFC 7296 1.2)
      for (std::size_t i = 0; i < sent.size(); ++i) {
        const auto& j = sent[i];
        const auto& m = j["message"];
        const auto& f = rows[i];
        INFO("message " << i << ": " << j.dump());
        REQUIRE(f.size() == 9);
        CHECK(f[0] == (j["peer"] == "A" ? kA : kB));
        CHECK("0x" + f[1] == m["ike_sa"].get<std::string>());
        CHECK(std::stoi(f[2]) == exchange_number.at(m["exchange"]));
        CHECK(std::stoul(f[3], nullptr, 16) == m["message_id"].get<std::uint32_t>());
        CHECK((f[4] == "1" || f[4] == "True") == m["response"].get<bool>());
        // isakmp.spi lists the notify's SPI, then the proposal's.
        std::vector<std::string> spis;
        if (m.contains("notify")) {
          CHECK(f[5] == notify_number.at(m["notify"]["type"]));
          // A notify without an SPI (0) is encoded with SPI size 0 (RFC 7296 3.10).
          const std::string spi = m["notify"].value("spi", std::string("0x00000000"));
          if (spi != "0x00000000") spis.push_back(spi);
        } else {
          CHECK(f[5].empty());
        }
        // IKE_SA_INIT's proposal has SPI size 0: its SPIs are the header's
        // (RFC 7296 3.3.1).
        const bool init = m["exchange"] == "IKE_SA_INIT";
        if (init) ++plain;
        if (m.contains("sa") && !init) spis.push_back(m["sa"]["spi"]);
        std::vector<std::string> got;
        if (!f[6].empty()) {
          for (const auto& x : split(f[6], ',')) got.push_back("0x" + x);
        }
        CHECK(got == spis);
        std::vector<std::string> deleted;
        if (m.contains("delete") && m["delete"].contains("spis")) {
          for (const auto& x : m["delete"]["spis"])
            deleted.push_back(x.get<std::string>().substr(2));
        }
        CHECK((f[7].empty() ? std::vector<std::string>{} : split(f[7], ',')) == deleted);
        CHECK(f[8] == m.value("nonce", std::string()));
      }
      const std::string verbose = tshark(pcap, "-V");
      CHECK(count(verbose, "Malformed") == 0);
      CHECK(count(verbose, "<HMAC_SHA1_96 [RFC2404]>[correct]") == sent.size() - plain);
      CHECK(count(verbose, "[Bad: True]") == 0);
      const std::string expert = tshark(pcap, "-q -z expert,warn");
      CHECK(expert.find("Warns") == std::string::npos);
      CHECK(expert.find("Errors") == std::string::npos);
    }
  }
}

TEST_CASE("pcap: golden capture and tables of a simultaneous rekey, identical at 1 and 2 threads") {
  const std::string scn = source("tests/cli/trace-scenarios/simultaneous-child-rekey.yaml");
  TempDir dir;
  for (const char* threads : {"1", "2"}) {
    const auto r =
        run("trace " + scn + " --first collision --window 1s --threads " + std::string(threads) +
            " --out " + (dir / "log") + " --pcap " + (dir / (std::string(threads) + ".pcap")));
    INFO(r.err);
    REQUIRE(r.status == 0);
  }
  for (const char* suffix : {"", ".ikev2_decryption_table", ".esp_sa"}) {
    const std::string one = slurp(dir / ("1.pcap" + std::string(suffix)));
    CHECK(one == slurp(dir / ("2.pcap" + std::string(suffix))));
    const std::string golden = source("tests/cli/golden/simultaneous-child-rekey.pcap") + suffix;
    if (std::getenv("REKEYSIM_UPDATE_GOLDEN")) {
      std::ofstream(golden, std::ios::binary) << one;
      continue;
    }
    INFO("golden file " << golden
                        << " (REKEYSIM_UPDATE_GOLDEN=1 rewrites it after a deliberate change)");
    CHECK(slurp(golden) == one);
  }
}

TEST_CASE("pcap: a bad output path is a usage error and leaves no file behind") {
  const std::string scn = source("tests/cli/trace-scenarios/simultaneous-child-rekey.yaml");
  TempDir dir;
  const auto missing = run("trace " + scn + " --pcap " + (dir / "no/such/dir/x.pcap"));
  CHECK(missing.status == 2);
  CHECK(missing.err.find("cannot write") != std::string::npos);
  // The tables could be written but the capture cannot (its path is a
  // directory): the tables are removed again.
  std::filesystem::create_directory(dir / "d.pcap");
  const auto is_dir = run("trace " + scn + " --pcap " + (dir / "d.pcap"));
  CHECK(is_dir.status == 2);
  CHECK(is_dir.err.find("cannot write " + (dir / "d.pcap")) != std::string::npos);
  std::vector<std::string> left;
  for (const auto& e : std::filesystem::directory_iterator(dir.path)) {
    left.push_back(e.path().filename().string());
  }
  CHECK(left == std::vector<std::string>{"d.pcap"});
}

TEST_CASE(
    "pcap: under no_sa_policy clear the packets without an SA are in the capture as plain "
    "IPv4 between the protected networks, as many as the trace counts, ESP ICVs still good") {
  REQUIRE(have_tshark());
  TempDir dir;
  const std::string pcap = dir / "clear.pcap";
  const std::string jsonl = dir / "clear.jsonl";
  // link-bounce-during-rekey trial 0 loses its tunnel at 14 h 40 min 18.356 s;
  // A has no SA for about 1 s, B for a few ms.
  const auto r = run("trace " + source("scenarios/link-bounce-during-rekey.yaml") +
                     " --set peers.a.behaviour.no_sa_policy=clear"
                     " --set peers.b.behaviour.no_sa_policy=clear"
                     " --first cleartext --window 3s --threads 1 --out " +
                     (dir / "log") + " --jsonl " + jsonl + " --pcap " + pcap);
  REQUIRE(r.status == 0);
  // The trace's cleartext records in the window, per sender.
  std::map<std::string, std::uint64_t> traced;
  std::map<std::string, std::uint64_t> records;
  std::istringstream lines(slurp(jsonl));
  for (std::string line; std::getline(lines, line);) {
    const auto j = nlohmann::json::parse(line);
    if (j["kind"] != "esp_cleartext") continue;
    traced[j["peer"].get<std::string>()] += j["count"].get<std::uint64_t>();
    ++records[j["peer"].get<std::string>()];
  }
  REQUIRE(traced["A"] > 50);
  // Not ESP, not IKE: the inner packet itself, 10.1.0.1 <-> 10.2.0.1, UDP 9.
  const std::string clear =
      tshark(pcap,
             "-Y 'not esp and not isakmp' -T fields -E separator='|' -e ip.src -e ip.dst "
             "-e udp.dstport -e ip.len");
  std::map<std::string, std::uint64_t> seen;
  std::istringstream rows(clear);
  for (std::string row; std::getline(rows, row);) {
    const auto f = split(row, '|');
    REQUIRE(f.size() == 4);
    const bool from_a = f[0] == "10.1.0.1";
    CHECK(f[0] == (from_a ? "10.1.0.1" : "10.2.0.1"));
    CHECK(f[1] == (from_a ? "10.2.0.1" : "10.1.0.1"));
    CHECK(f[2] == "9");
    CHECK(f[3] == "600");  // traffic.size default
    ++seen[from_a ? "A" : "B"];
  }
  // The capture's packets keep a phase of their own (tools/pcap/README.md), so
  // each contiguous run without an SA may hold one packet more or less than the
  // simulator counted; every run is at least one record.
  for (const char* peer : {"A", "B"}) {
    INFO(peer << ": traced " << traced[peer] << " in " << records[peer] << " records, captured "
              << seen[peer]);
    CHECK(seen[peer] + records[peer] >= traced[peer]);
    CHECK(seen[peer] <= traced[peer] + records[peer]);
  }
  CHECK(r.err.find(std::to_string(seen["A"] + seen["B"]) + " of them sent in clear") !=
        std::string::npos);
  // ESP still decodes with good ICVs; the cleartext packets are plain UDP.
  const std::string verbose = tshark(pcap, "-V");
  CHECK(count(verbose, "Malformed") == 0);
  CHECK(count(verbose, "[Bad: True]") == 0);
  CHECK(count(verbose, "[Good: True]") > 0);
}

TEST_CASE(
    "pcap: ESP sent while the link is down is in the capture (taken at the sender) and the "
    "tshark filter printed for the windows selects exactly those packets") {
  REQUIRE(have_tshark());
  TempDir dir;
  const std::string pcap = dir / "down.pcap";
  // Trial 0: the link goes down at 54 min 25 s for 45 s, both directions.
  const auto r = run("trace " + source("scenarios/link-bounce-during-rekey.yaml") +
                     " --first esp_link_down --window 2s --threads 1 --out " + (dir / "log") +
                     " --pcap " + pcap);
  REQUIRE(r.status == 0);
  const std::regex down(R"((\d+) of them sent while the link was down, lost on the way; )"
                        R"(tshark filter: (.*)\n)");
  std::smatch m;
  REQUIRE(std::regex_search(r.err, m, down));
  // 50 pps each way over [54:25, 54:27]: about 100 a direction in the window.
  const std::uint64_t n = std::stoull(m[1]);
  CHECK(n >= 199);
  CHECK(n <= 202);
  // The window starts at 54 min 25 s = 3265 s after 2025-07-06 04:00:00 UTC.
  CHECK(m[2].str().find("frame.time_epoch >= 1751777665.000000000") != std::string::npos);
  const std::string selected = tshark(pcap, "-Y '" + m[2].str() + "' -T fields -e esp.spi");
  CHECK(count(selected, "\n") == n);
  const std::string all = tshark(pcap, "-T fields -e esp.spi");
  CHECK(count(all, "\n") > n);  // the second before the window is there too
  const std::string verbose = tshark(pcap, "-V");
  CHECK(count(verbose, "[Bad: True]") == 0);
  CHECK(count(verbose, "Malformed") == 0);
}

TEST_CASE(
    "pcap: trace.<peer>.first_child_spi and first_ike_spi carry into the capture: ESP and IKE "
    "SPIs are the ones the log prints, one-to-one, still decrypted") {
  REQUIRE(have_tshark());
  TempDir dir;
  const std::string base = "trace " + source("scenarios/kb-incident.yaml") +
                           " --first cant_find_sa --style panos --inferred --window 100ms";
  const std::string plain_pcap = dir / "plain.pcap";
  const std::string pcap = dir / "mapped.pcap";
  const auto plain = run(base + " --pcap " + plain_pcap);
  const auto r = run(base + " --pcap " + pcap +
                     " --set trace.a.first_child_spi=0xc1a2b3c4 --first-child-spi-b 0xabcd"
                     " --set trace.a.first_ike_spi=0x1111222233334444 --first-ike-spi-b 0xabcdef");
  INFO(r.err);
  REQUIRE(plain.status == 0);
  REQUIRE(r.status == 0);
  // The simulated SPIs (seed fixed): A receives on 0xb0807687, B on
  // 0x9181ea6f; the IKE SA A created at t = 0 has initiator SPI (A's)
  // 0x9c3dea5f84bcf121 and responder SPI (B's) 0x8c6bec90e002e8e2.
  REQUIRE(plain.out.find("SPI:0xB0807687/0x9181EA6F") != std::string::npos);
  CHECK(r.out.find("SPI:0xC1A2B3C4/0x0000ABCD") != std::string::npos);
  const std::map<std::string, std::string> mapped = {{"0xb0807687", "0xc1a2b3c4"},
                                                     {"0x9181ea6f", "0x0000abcd"},
                                                     {"9c3dea5f84bcf121", "1111222233334444"},
                                                     {"8c6bec90e002e8e2", "0000000000abcdef"}};
  auto shown = [&](const std::string& v) {
    const auto it = mapped.find(v);
    return it == mapped.end() ? v : it->second;
  };
  // Packet by packet: the capture is the unmapped one with exactly those
  // SPIs replaced, in the ESP header and both IKE header SPIs.
  const char* const fields = "-T fields -E separator='|' -e isakmp.ispi -e isakmp.rspi -e esp.spi";
  const auto before = split(tshark(plain_pcap, fields), '\n');
  const auto after = split(tshark(pcap, fields), '\n');
  REQUIRE(before.size() == after.size());
  std::set<std::string> seen;
  for (std::size_t i = 0; i < before.size(); ++i) {
    INFO("packet " << i << ": " << before[i] << " -> " << after[i]);
    const auto parts = split(lower(before[i]), '|');
    std::string expect;
    for (std::size_t k = 0; k < parts.size(); ++k) expect += (k ? "|" : "") + shown(parts[k]);
    CHECK(lower(after[i]) == expect);
    for (const auto& f : split(lower(after[i]), '|')) seen.insert(f);
  }
  for (const auto& [from, to] : mapped) {
    CHECK(seen.contains(to));
    CHECK_FALSE(seen.contains(from));
  }
  // The tables follow the SPIs: everything still decrypts with good ICVs.
  const std::string verbose = tshark(pcap, "-V");
  CHECK(count(verbose, "Malformed") == 0);
  CHECK(count(verbose, "[Bad: True]") == 0);
  CHECK(count(verbose, "Decrypted Data (") == 8);
  CHECK(count(verbose, "<HMAC_SHA1_96 [RFC2404]>[correct]") == 8);
}

namespace {

// "2024-02-29 23:59:58" local at "+0530" -> Unix seconds (UTC), by
// std::chrono's civil calendar (not the code under test).
std::int64_t unix_seconds(const std::string& local, const std::string& offset) {
  const int y = std::stoi(local.substr(0, 4));
  const unsigned mo = static_cast<unsigned>(std::stoi(local.substr(5, 2)));
  const unsigned d = static_cast<unsigned>(std::stoi(local.substr(8, 2)));
  const std::int64_t days =
      std::chrono::sys_days{std::chrono::year{y} / std::chrono::month{mo} / std::chrono::day{d}}
          .time_since_epoch()
          .count();
  const std::int64_t off = (offset[0] == '-' ? -1 : 1) *
                           (std::stoi(offset.substr(1, 2)) * 60 + std::stoi(offset.substr(3, 2)));
  return days * 86400 + std::stoi(local.substr(11, 2)) * 3600 +
         std::stoi(local.substr(14, 2)) * 60 + std::stoi(local.substr(17, 2)) - off * 60;
}

// frame.time_epoch "1709231398.016000000" -> whole milliseconds.
std::int64_t epoch_ms(const std::string& t) {
  const auto dot = t.find('.');
  return std::stoll(t.substr(0, dot)) * 1000 + std::stoll(t.substr(dot + 1, 3));
}

// The log context every case below sets, none of it the default.
const char* const kContext =
    " --set trace.a.address=203.0.113.5 --set trace.b.address=198.18.0.9"
    " --set 'trace.start=2024-02-29 23:59:58' --set trace.utc_offset=+0530"
    " --set trace.a.first_message_id=100 --first-message-id-b 0x200";

}  // namespace

TEST_CASE(
    "pcap: trace.<peer>.address, trace.start in its utc_offset and first_message_id carry into "
    "the capture: the crossing rekey requests have the log's addresses, times and message IDs") {
  REQUIRE(have_tshark());
  TempDir dir;
  const std::string pcap = dir / "kb.pcap";
  const auto r = run("trace " + source("scenarios/kb-incident.yaml") +
                     " --first cant_find_sa --style panos --inferred --window 100ms" + kContext +
                     " --pcap " + pcap);
  INFO(r.err);
  REQUIRE(r.status == 0);
  // PAN-OS: "2024-03-01 07:12:00.081 +0530 [INFO]: { 7: 60}: IKEv2 child SA
  // negotiation is started as initiator, rekey. Initiated SA:
  // 203.0.113.5[4500]-198.18.0.9[4500] message id:0x00000064."
  const std::regex started(
      R"(^(A|B)\(.*\| (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\.(\d{3}) ([+-]\d{4}) \[INFO\]: .*)"
      R"(child SA negotiation is started as initiator, rekey\. Initiated SA: )"
      R"(([0-9.]+)\[4500\]-([0-9.]+)\[4500\] message id:0x([0-9A-F]{8}))");
  struct Logged {
    std::string dst;
    std::int64_t ms = 0;
    std::uint32_t message_id = 0;
  };
  std::map<std::string, Logged> logged;  // requester address -> its request as logged
  std::istringstream log(r.out);
  for (std::string line; std::getline(log, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, started)) continue;
    CHECK(m[5] == (m[1] == "A" ? "203.0.113.5" : "198.18.0.9"));
    logged[m[5]] = {m[6], unix_seconds(m[2], m[4]) * 1000 + std::stoll(m[3]),
                    static_cast<std::uint32_t>(std::stoul(m[7], nullptr, 16))};
  }
  REQUIRE(logged.size() == 2);
  // The log's shift: each peer's first request in the window is printed with
  // the given ID.
  CHECK(logged["203.0.113.5"].message_id == 100);
  CHECK(logged["198.18.0.9"].message_id == 0x200);

  const std::string rows =
      tshark(pcap,
             "-Y 'isakmp.exchangetype == 36 and isakmp.flag_r == 0' -T fields -E separator='|' "
             "-e ip.src -e ip.dst -e isakmp.messageid -e frame.time_epoch");
  std::set<std::string> seen;
  std::istringstream in(rows);
  for (std::string row; std::getline(in, row);) {
    const auto f = split(row, '|');
    REQUIRE(f.size() == 4);
    INFO(row);
    REQUIRE(logged.contains(f[0]));
    if (!seen.insert(f[0]).second) continue;  // a retransmission
    const Logged& l = logged[f[0]];
    CHECK(f[1] == l.dst);
    CHECK(static_cast<std::uint32_t>(std::stoul(f[2], nullptr, 16)) == l.message_id);
    CHECK(epoch_ms(f[3]) == l.ms);
  }
  CHECK(seen.size() == 2);
  // Still decrypted with correct ICVs at the new addresses.
  const std::string verbose = tshark(pcap, "-V");
  CHECK(count(verbose, "Malformed") == 0);
  CHECK(count(verbose, "[Bad: True]") == 0);
  CHECK(count(verbose, "<HMAC_SHA1_96 [RFC2404]>[correct]") == 8);
}

TEST_CASE(
    "pcap: the first packet of a whole-trial capture is the IKE_SA_INIT request at the log's "
    "start (UTC epoch of trace.start in its utc_offset) with the log's addresses and message ID, "
    "traffic selectors from trace.<peer>.subnet") {
  REQUIRE(have_tshark());
  TempDir dir;
  const std::string pcap = dir / "whole.pcap";
  const auto r = run("trace " + source("tests/cli/trace-scenarios/normal-rekey.yaml") +
                     " --trial 0 --style strongswan" + kContext +
                     " --set trace.a.subnet=172.16.0.0/12 --pcap " + pcap);
  INFO(r.err);
  REQUIRE(r.status == 0);
  // strongSwan, local time: "Feb 29 23:59:58.000 01[ENC] <conn|1> generating
  // IKE_SA_INIT request 100 [ SA No ]".
  const std::regex init(R"(^A\(.*\| Feb 29 23:59:58\.000 .*generating IKE_SA_INIT request (\d+) )");
  std::smatch m;
  REQUIRE(std::regex_search(r.out, m, init));
  const auto f = split(tshark(pcap,
                              "-c 1 -T fields -E separator='|' -e ip.src -e ip.dst -e "
                              "isakmp.exchangetype -e isakmp.messageid -e frame.time_epoch"),
                       '|');
  REQUIRE(f.size() == 5);
  CHECK(f[0] == "203.0.113.5");
  CHECK(f[1] == "198.18.0.9");
  CHECK(f[2] == "34");
  CHECK(std::stoul(f[3], nullptr, 16) == std::stoul(m[1]));
  // 2024-02-29 23:59:58 +0530 is 18:29:58 UTC.
  CHECK(unix_seconds("2024-02-29 23:59:58", "+0530") == 1709231398);
  CHECK(f[4] == "1709231398.000000000\n");
  // trace.a.subnet: B logs "TS 10.2.0.0/16 === 172.16.0.0/12"; the decrypted
  // IKE_AUTH request's TSi (A's network) is 172.16.0.0 - 172.31.255.255.
  REQUIRE(r.out.find("and TS 10.2.0.0/16 === 172.16.0.0/12") != std::string::npos);
  const std::string ts =
      tshark(pcap,
             "-Y 'isakmp.exchangetype == 35 and isakmp.flag_r == 0' -T fields -E separator='|' "
             "-e isakmp.ts.start_ipv4 -e isakmp.ts.end_ipv4");
  CHECK(ts == "172.16.0.0,10.2.0.0|172.31.255.255,10.2.255.255\n");
}

TEST_CASE(
    "pcap: an address the capture cannot carry as the log prints it is a usage error naming "
    "the key, checked before the trial runs, no file left behind") {
  const std::string base =
      "trace " + source("tests/cli/trace-scenarios/normal-rekey.yaml") + " --trial 0";
  TempDir dir;
  // 192.0.2.07: a capture would show 192.0.2.7, not what the log prints.
  // The loader refuses it (inet_pton's dotted decimal), with its position.
  const auto zero = run(base + " --set trace.a.address=192.0.2.07 --pcap " + (dir / "x.pcap"));
  CHECK(zero.status == 2);
  CHECK(zero.err.find("--set:1:17: error: trace.a.address: \"192.0.2.07\" is not an IPv4 "
                      "address") != std::string::npos);
  for (const char* v : {"+10.0.0.1", "1.2.3", "10.0.0.256"}) {
    const auto r = run(base + " --set trace.b.address=" + v);
    CHECK(r.status == 2);
    CHECK(r.err.find(std::string("trace.b.address: \"") + v + "\" is not an IPv4 address") !=
          std::string::npos);
  }
  const auto prefix = run(base + " --set trace.a.subnet=10.0.0.0/08");
  CHECK(prefix.status == 2);
  CHECK(prefix.err.find("trace.a.subnet: \"10.0.0.0/08\" is not an IPv4 prefix") !=
        std::string::npos);
  // Both ends given one address, by --set one at a time.
  const auto same = run(base + " --set trace.a.address=192.0.2.9 --set trace.b.address=192.0.2.9");
  CHECK(same.status == 2);
  CHECK(same.err.find("trace.b.address: \"192.0.2.9\" is the same address as peer A's") !=
        std::string::npos);
  CHECK(zero.out.empty());
  // IPv6 is refused where the scenario is read (IPv4-only schema).
  const auto v6 = run(base + " --set trace.b.address=2001:db8::2 --pcap " + (dir / "x.pcap"));
  CHECK(v6.status == 2);
  CHECK(v6.err.find("trace.b.address: \"2001:db8::2\" is not an IPv4 address") !=
        std::string::npos);
  CHECK(std::filesystem::is_empty(dir.path));
}

namespace {

// (initiator SPI, responder SPI) pairs, lower-case hex without 0x, of every
// IKE header a log prints: ASA "InitSPI=0x.. RespSPI=0x..", IOS/ASA
// "Initiator SPI : .. - Responder SPI : ..", PAN-OS "Established SA: ..
// SPI:<i>:<r>.".
std::set<std::pair<std::string, std::string>> log_ike_spis(const std::string& log) {
  static const std::regex kHeader(
      R"(InitSPI=0x([0-9A-F]{16}) RespSPI=0x([0-9A-F]{16})|)"
      R"(Initiator SPI : ([0-9A-F]{16}) - Responder SPI : ([0-9A-F]{16})|)"
      R"(Established SA: .* SPI:([0-9a-f]{16}):([0-9a-f]{16})\.)");
  std::set<std::pair<std::string, std::string>> out;
  for (std::sregex_iterator it(log.begin(), log.end(), kHeader), end; it != end; ++it) {
    const auto& m = *it;
    const int at = m[1].matched ? 1 : m[3].matched ? 3 : 5;
    out.emplace(lower(m[at].str()), lower(m[at + 1].str()));
  }
  return out;
}

// The same pairs from the capture's IKE headers (IKE_SA_INIT requests, whose
// responder SPI is 0, left out).
std::set<std::pair<std::string, std::string>> pcap_ike_spis(const std::string& pcap) {
  std::set<std::pair<std::string, std::string>> out;
  std::istringstream in(
      tshark(pcap, "-Y isakmp -T fields -E separator='|' -e isakmp.ispi -e isakmp.rspi"));
  for (std::string line; std::getline(in, line);) {
    const auto f = split(lower(line), '|');
    REQUIRE(f.size() == 2);
    if (f[1] != "0000000000000000") out.emplace(f[0], f[1]);
  }
  return out;
}

}  // namespace

TEST_CASE(
    "pcap: the Cisco ASA, IOS and PAN-OS logs print each IKE SA's real responder SPI, the one in "
    "its packets (issue 12)") {
  REQUIRE(have_tshark());
  struct Case {
    const char* args;
    std::size_t headers;  // distinct (initiator, responder) pairs the log prints
  };
  // kb-incident: B is the ASA under --style auto; the first IKE SA's
  // responder SPI comes from its IKE_SA_INIT response, far outside the
  // window. The IKE rekey collision: two SAs created by CREATE_CHILD_SA.
  const Case cases[] = {
      {"--first cant_find_sa --window 100ms", 1},
      {"--first cant_find_sa --window 100ms --style cisco-ios", 1},
      {"--first simultaneous_ike_rekey --window 2s --style cisco-asa", 3},
      {"--first simultaneous_ike_rekey --window 2s --style cisco-ios", 3},
      {"--first simultaneous_ike_rekey --window 2s --style panos --inferred", 1},
  };
  for (const Case& c : cases) {
    TempDir dir;
    const std::string pcap = dir / "k.pcap";
    const std::string log = dir / "k.log";
    const auto r = run("trace " + source("scenarios/kb-incident.yaml") + " " + c.args + " --pcap " +
                       pcap + " --out " + log);
    INFO(c.args << "\n" << r.err);
    REQUIRE(r.status == 0);
    const auto printed = log_ike_spis(slurp(log));
    const auto packets = pcap_ike_spis(pcap);
    CHECK(printed.size() == c.headers);
    for (const auto& [ispi, rspi] : printed) {
      INFO("log: InitSPI " << ispi << " RespSPI " << rspi);
      CHECK(packets.contains({ispi, rspi}));
    }
  }
}
