#include "tools/trace/format_common.hpp"

#include <cstdio>

namespace rekeysim::trace::detail {

namespace {

// Floor division, so that times before the epoch still map to the right day.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

CivilTime civil_time(sim::SimTime t, std::int64_t epoch_unix_seconds, int utc_offset_minutes) {
  const std::int64_t ns = t.ns();
  const std::int64_t sim_ms = floor_div(ns, 1'000'000);
  const std::int64_t local_ms =
      (epoch_unix_seconds + std::int64_t{utc_offset_minutes} * 60) * 1000 + sim_ms;
  const std::int64_t days = floor_div(local_ms, 86'400'000);
  std::int64_t ms_of_day = local_ms - days * 86'400'000;

  // civil_from_days (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
  const std::int64_t z = days + 719468;
  const std::int64_t era = floor_div(z, 146097);
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;

  CivilTime c;
  c.year = yoe + era * 400 + (m <= 2 ? 1 : 0);
  c.month = static_cast<int>(m);
  c.day = static_cast<int>(d);
  c.hour = static_cast<int>(ms_of_day / 3'600'000);
  ms_of_day %= 3'600'000;
  c.minute = static_cast<int>(ms_of_day / 60'000);
  ms_of_day %= 60'000;
  c.second = static_cast<int>(ms_of_day / 1000);
  c.millisecond = static_cast<int>(ms_of_day % 1000);
  return c;
}

const char* month_abbrev(int month) {
  static constexpr const char* kNames[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  return (month >= 1 && month <= 12) ? kNames[month - 1] : "???";
}

std::string utc_offset_text(int utc_offset_minutes) {
  const char sign = utc_offset_minutes < 0 ? '-' : '+';
  const int abs_min = utc_offset_minutes < 0 ? -utc_offset_minutes : utc_offset_minutes;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%02d%02d", sign, abs_min / 60, abs_min % 60);
  return buf;
}

std::string hex_upper(std::uint32_t spi) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", spi);
  return buf;
}

std::string hex_lower(std::uint32_t spi) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", spi);
  return buf;
}

std::string hex_0x(std::uint32_t spi) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", spi);
  return buf;
}

std::string hex64(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string hex64_upper(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llX", static_cast<unsigned long long>(v));
  return buf;
}

std::string seconds_text(sim::SimTime t) {
  const std::int64_t us = floor_div(t.ns(), 1000);
  const std::int64_t s = floor_div(us, 1'000'000);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(s),
                static_cast<long long>(us - s * 1'000'000));
  return buf;
}

std::string millis_text(sim::SimTime d) {
  // Microsecond resolution, trailing zeros trimmed: "16 ms", "16.5 ms", "0.25 ms".
  const std::int64_t us = floor_div(d.ns(), 1000);
  const std::int64_t ms = floor_div(us, 1000);
  std::int64_t frac = us - ms * 1000;
  std::string out = std::to_string(ms);
  if (frac != 0) {
    // Three digits, trailing zeros trimmed (frac is 1..999).
    char digits[4] = {static_cast<char>('0' + frac / 100), static_cast<char>('0' + frac / 10 % 10),
                      static_cast<char>('0' + frac % 10), '\0'};
    int n = 3;
    while (n > 0 && digits[n - 1] == '0') digits[--n] = '\0';
    out += '.';
    out += digits;
  }
  out += " ms";
  return out;
}

bool has_esp_delete(const models::Message& m) {
  return m.delete_protocol == models::ProtocolId::kEsp && m.delete_count > 0;
}

bool is_child_rekey_request(const models::Message& m) {
  return !m.is_response && m.exchange == models::ExchangeType::kCreateChildSa &&
         m.notify == models::NotifyType::kRekeySa;
}

std::string message_summary(const models::Message& m, bool compact) {
  using models::NotifyType;
  using models::ProtocolId;
  std::string s{models::to_string(m.exchange)};
  s += m.is_response ? " resp #" : " req #";
  s += std::to_string(m.message_id);
  bool any = false;
  auto add = [&](const std::string& part) {
    s += ' ';
    s += part;
    any = true;
  };
  if (m.notify != NotifyType::kNone) {
    std::string n = "N(" + std::string{models::to_string(m.notify)};
    if (m.notify_spi != 0) {
      n += ' ';
      n += hex_0x(m.notify_spi);
    }
    add(n + ")");
  }
  if (m.sa_protocol == ProtocolId::kEsp) {
    add("SA(ESP " + hex_0x(static_cast<std::uint32_t>(m.sa_spi)) + ")");
  } else if (m.sa_protocol == ProtocolId::kIke) {
    add("SA(IKE " + hex64(m.sa_spi) + ")");
  }
  if (m.has_nonce) add(m.is_response ? "Nr" : "Ni");
  if (m.has_ke) add("KE");
  if (m.has_ts && !compact) add("TSi TSr");
  if (m.delete_protocol == ProtocolId::kIke) {
    add("D(IKE)");
  } else if (m.delete_protocol != ProtocolId::kNone) {
    std::string d = m.delete_protocol == ProtocolId::kEsp ? "D(ESP" : "D(AH";
    for (int i = 0; i < m.delete_count && i < models::Message::kMaxDeleteSpis; ++i) {
      d += ' ';
      d += hex_0x(m.delete_spis[static_cast<std::size_t>(i)]);
    }
    add(d + ")");
  }
  if (!any) s += " (empty)";
  return s;
}

}  // namespace rekeysim::trace::detail
