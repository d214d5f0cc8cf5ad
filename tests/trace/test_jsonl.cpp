// JSONL view: one parseable object per record, fixed key order.
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "synthetic.hpp"
#include "tools/trace/trace_views.hpp"

using rekeysim::trace::render_jsonl;

TEST_CASE("JSONL: every line parses, one per record, leading keys t_ns, t, peer, kind",
          "[trace][jsonl]") {
  const auto records = synthetic::simultaneous_rekey();
  std::istringstream in(render_jsonl(records));
  std::size_t i = 0;
  for (std::string line; std::getline(in, line); ++i) {
    INFO(line);
    REQUIRE(i < records.size());
    const auto j = nlohmann::ordered_json::parse(line);
    REQUIRE(j.is_object());
    auto it = j.begin();
    CHECK(it.key() == "t_ns");
    CHECK((++it).key() == "t");
    CHECK((++it).key() == "peer");
    CHECK((++it).key() == "kind");
    CHECK(j["t_ns"].get<std::int64_t>() == records[i].time.ns());
    CHECK(j["peer"] == std::string(1, models::peer_name(records[i].peer)));
    CHECK(j["kind"] == std::string(models::to_string(records[i].kind)));
  }
  CHECK(i == records.size());
}

TEST_CASE("JSONL: message, collision and SPI fields carry the record's values", "[trace][jsonl]") {
  const auto records = synthetic::simultaneous_rekey();
  std::istringstream in(render_jsonl(records));
  std::vector<nlohmann::json> rows;
  for (std::string line; std::getline(in, line);) rows.push_back(nlohmann::json::parse(line));
  REQUIRE(rows.size() == records.size());
  // Record 1: A's CREATE_CHILD_SA request.
  const auto& req = rows[1]["message"];
  CHECK(req["exchange"] == "CREATE_CHILD_SA");
  CHECK(req["response"] == false);
  CHECK(req["message_id"] == 6);
  CHECK(req["notify"]["type"] == "REKEY_SA");
  CHECK(req["notify"]["spi"] == "0xc0000001");
  CHECK(req["sa"]["spi"] == "0xa2a2a2a2");
  CHECK(req["nonce"].get<std::string>().substr(0, 4) == "105a");
  bool saw_resolved = false;
  for (const auto& row : rows) {
    if (row["kind"] == "collision_resolved") {
      saw_resolved = true;
      CHECK(row["collision"] == "simultaneous_child_rekey");
      CHECK(row.contains("won"));
      CHECK(row.contains("new_spi_in"));
    }
    if (row["kind"] == "message_sent" && row["message"]["exchange"] == "INFORMATIONAL") {
      CHECK(row["message"]["delete"]["protocol"] == "ESP");
      CHECK(row["message"]["delete"]["spis"].size() == 1);
    }
  }
  CHECK(saw_resolved);
}

TEST_CASE("JSONL: ESP drops carry the count and the SPI", "[trace][jsonl]") {
  const auto records = synthetic::crossing_deletes();
  const std::string out = render_jsonl(records);
  CHECK(out.find(R"({"t_ns":12738323000000,"t":"12738.323000","peer":"B","kind":"esp_dropped",)"
                 R"("sa_kind":"child","spi_in":"0xd6b2c300","count":12})") != std::string::npos);
}
