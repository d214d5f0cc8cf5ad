#include <sstream>

#include <catch2/catch.hpp>

#include "models/profiles/profile.hpp"
#include "models/profiles/profile_report.hpp"

TEST_CASE("profile table: a header and one aligned row per profile", "[profiles][report]") {
  const auto all = models::builtin_profiles();
  const std::string table = models::format_profile_table(all);
  std::istringstream in(table);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  REQUIRE(lines.size() == all.size() + 1);
  CHECK(lines[0].starts_with("profile "));
  CHECK(lines[0].find("collision") != std::string::npos);
  CHECK(lines[0].find("responder_switch") != std::string::npos);
  CHECK(lines[0].find("unknown_spi") != std::string::npos);
  const auto col = lines[0].find("child.lifetime");
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(lines[i + 1].starts_with(all[i].name + " "));
  }
  // Column alignment: every row's lifetime starts under the header.
  CHECK(lines[2].substr(col, 3) == "66m");             // strongswan
  CHECK(lines[5].find("naive") != std::string::npos);  // panos
}

TEST_CASE("profile detail: every field with value, status, source and note", "[profiles][report]") {
  const models::Profile& p = *models::find_builtin_profile("panos");
  const std::string detail = models::format_profile_detail(p);
  CHECK(detail.starts_with("panos: "));
  CHECK(detail.find("(base: rfc7296)") != std::string::npos);
  for (const auto& f : p.fields) {
    CHECK(detail.find("  " + f.key) != std::string::npos);
    CHECK(detail.find("source: " + f.source) != std::string::npos);
  }
  CHECK(detail.find("behaviour.unknown_spi") != std::string::npos);
  CHECK(detail.find("= log  [confirmed]") != std::string::npos);
  CHECK(detail.find("= naive  [assumption]") != std::string::npos);
}

// Issue 11 "Must show": each vendor value with a source and status in
// `rekeysim profiles NAME`. Every profile field key, in every built-in
// profile, appears in its detail with a status and a non-empty source.
TEST_CASE("profile detail: every built-in profile shows every field key with status and source",
          "[profiles][report]") {
  for (const models::Profile& p : models::builtin_profiles()) {
    const std::string detail = models::format_profile_detail(p);
    for (const std::string_view kv : models::profile_field_keys()) {
      const std::string key(kv);
      INFO(p.name << ": " << key);
      const models::ProfileField* f = nullptr;
      for (const auto& g : p.fields)
        if (g.key == key) f = &g;
      REQUIRE(f != nullptr);
      CHECK_FALSE(f->source.empty());
      CHECK(detail.find("  " + key) != std::string::npos);
      CHECK(detail.find("source: " + f->source) != std::string::npos);
      const std::string status =
          f->status == models::SourceStatus::kConfirmed ? "[confirmed]" : "[assumption]";
      CHECK(detail.find("= " + f->value + "  " + status) != std::string::npos);
    }
  }
}
