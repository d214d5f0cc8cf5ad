#include "tools/ingest/ingest.hpp"

#include <algorithm>
#include <cctype>
#include <deque>
#include <regex>

#include "tools/ingest/readers.hpp"

namespace rekeysim::ingest {

namespace detail {

std::optional<std::uint32_t> parse_spi(std::string_view t) {
  if (t.starts_with("0x") || t.starts_with("0X")) t.remove_prefix(2);
  if (t.empty() || t.size() > 8) return std::nullopt;
  std::uint32_t v = 0;
  bool masked = false;
  for (char c : t) {
    int d = 0;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else if (c == 'X' || c == 'x') {
      masked = true;
      d = 0;
    } else {
      return std::nullopt;
    }
    v = v * 16 + static_cast<std::uint32_t>(d);
  }
  if (!masked) return v;
  // FNV-1a of the text (case folded): the same masked SPI maps to the same value.
  std::uint32_t h = 2166136261u;
  for (char c : t) {
    h ^= static_cast<std::uint8_t>(c >= 'a' && c <= 'z' ? c - 32 : c);
    h *= 16777619u;
  }
  return h | 0x80000001u;
}

int month_number(std::string_view a) {
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i) {
    if (a == kMonths[i]) return i + 1;
  }
  return 0;
}

std::int64_t fraction_us(std::string_view digits) {
  std::int64_t v = 0;
  int n = 0;
  for (char c : digits) {
    if (n == 6) break;
    v = v * 10 + (c - '0');
    ++n;
  }
  for (; n < 6; ++n) v *= 10;
  return v;
}

std::optional<sim::SimTime> LogClock::at(int month, int day, int hour, int minute, int second,
                                         std::int64_t micros) {
  static constexpr int kDaysBefore[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  if (month < 0 || month > 12 || day < 0 || day > 31 || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  constexpr std::int64_t kDay = 86'400'000'000;
  const std::int64_t days = month == 0 ? 0 : kDaysBefore[month - 1] + day - 1;
  const std::int64_t reading =
      days * kDay + ((hour * 3600LL + minute * 60LL + second) * 1'000'000) + micros;
  std::int64_t carry = carry_;
  if (last_ && reading + carry < *last_) {
    if (month == 0) {
      carry += kDay;
      const std::int64_t gap = reading + carry - *last_;
      if (gap > kLongRolloverUs && long_rollovers_++ == 0) first_long_gap_us_ = gap;
    } else if (*last_ - (reading + carry) > 182 * kDay) {
      carry += 365 * kDay;
    }
  }
  const std::int64_t abs = reading + carry;
  if (first_ && (abs - *first_ > kMaxLogSpanSeconds * 1'000'000 ||
                 *first_ - abs > kMaxLogSpanSeconds * 1'000'000))
    return std::nullopt;
  carry_ = carry;
  last_ = abs;
  if (!first_) first_ = abs;
  return sim::microseconds(abs - *first_);
}

}  // namespace detail

namespace {

std::unique_ptr<detail::LineReader> reader_for(Style s, models::PeerId peer) {
  switch (s) {
    case Style::kPanos:
      return detail::make_panos_reader(peer);
    case Style::kStrongswan:
      return detail::make_strongswan_reader(peer);
    case Style::kCiscoAsa:
      return detail::make_cisco_asa_reader(peer);
    case Style::kLibreswan:
      return detail::make_libreswan_reader(peer);
    case Style::kCiscoIos:
      return detail::make_cisco_ios_reader(peer);
    case Style::kJuniperSrx:
      return detail::make_juniper_srx_reader(peer);
  }
  return detail::make_panos_reader(peer);
}

void count(IngestResult& r, detail::LineUse use, std::uint64_t line_no, const std::string& text,
           const IngestOptions& options) {
  switch (use) {
    case detail::LineUse::kUsed:
      ++r.used;
      break;
    case detail::LineUse::kSkipped:
      ++r.skipped;
      break;
    case detail::LineUse::kUnusable:
      ++r.unusable;
      if (r.first_unusable.size() < 5) r.first_unusable.push_back({line_no, text});
      if (options.on_unusable) options.on_unusable(line_no, text);
      break;
  }
}

// Vendor software versions as the daemons announce them at start (strongSwan
// "Starting IKE charon daemon (strongSwan 5.9.8, ...)", pluto "Starting
// Pluto (Libreswan Version 4.12 ...)", ASA "Cisco Adaptive Security
// Appliance Software Version 9.16(4)", IOS "Cisco IOS XE Software, Version
// 17.03.04a"), and strongSwan 6.x by its collision wording.
void look_for_version(IngestResult& r, const std::string& line, std::uint64_t line_no) {
  if (!r.version.empty() && r.version.find("wording") == std::string::npos) return;
  static const std::regex named(
      R"((strongSwan|Libreswan Version|Adaptive Security Appliance Software Version|Cisco IOS XE Software, Version|JUNOS Software Release \[|PAN-OS) ?([0-9][0-9A-Za-z.()\-]*))");
  std::smatch m;
  const bool maybe =
      line.find("Version") != std::string::npos || line.find("strongSwan") != std::string::npos ||
      line.find("JUNOS") != std::string::npos || line.find("PAN-OS") != std::string::npos;
  if (maybe && std::regex_search(line, m, named)) {
    std::string vendor = m[1].str();
    if (vendor == "Libreswan Version") vendor = "libreswan";
    if (vendor == "Adaptive Security Appliance Software Version") vendor = "Cisco ASA";
    if (vendor == "Cisco IOS XE Software, Version") vendor = "Cisco IOS-XE";
    if (vendor == "JUNOS Software Release [") vendor = "Junos";
    r.version = vendor + " " + m[2].str();
    r.version_line = line_no;
    return;
  }
  if (r.version.empty() && r.style == Style::kStrongswan) {
    if (line.find("detected rekey collision for CHILD_SA") != std::string::npos ||
        line.find("aborting rekey") != std::string::npos) {
      r.version = "strongSwan 6.x (collision wording)";
      r.version_line = line_no;
    } else if (line.find("detected CHILD_REKEY collision") != std::string::npos) {
      r.version = "strongSwan 5.x (collision wording)";
      r.version_line = line_no;
    }
  }
}

}  // namespace

std::optional<Style> parse_style(std::string_view text) {
  if (text == "strongswan-6") return Style::kStrongswan;
  for (Style s : kStyles) {
    if (text == to_string(s)) return s;
  }
  return std::nullopt;
}

std::string_view to_string(Style style) {
  switch (style) {
    case Style::kPanos:
      return "panos";
    case Style::kStrongswan:
      return "strongswan";
    case Style::kCiscoAsa:
      return "cisco-asa";
    case Style::kLibreswan:
      return "libreswan";
    case Style::kCiscoIos:
      return "cisco-ios";
    case Style::kJuniperSrx:
      return "juniper-srx";
  }
  return "panos";
}

std::string_view example_line(Style style) {
  switch (style) {
    case Style::kPanos:
      return "2025-07-06 03:32:18.287 -0400 [INFO]: { 7: }: IKEv2 INFO transmit: gateway gw, "
             "message_id: 0x00000344, type 3 SA state ESTABLISHED";
    case Style::kStrongswan:
      return "Jul  6 03:32:18.287 09[IKE] <conn|1> sending DELETE for ESP CHILD_SA with SPI "
             "c1a2b3c4";
    case Style::kCiscoAsa:
      return "Jul 06 03:32:18 IKEv2-PROTO-4: (60): Received Packet [From 198.51.100.2:4500/To "
             "192.0.2.1:4500/VRF i0:f0]";
    case Style::kLibreswan:
      return "Mar 18 19:29:30.713608: \"west\" #3: initiating rekey to replace Child SA #2";
    case Style::kCiscoIos:
      return "Jul  6 03:32:18.287: IKEv2:(SESSION ID = 1,SA ID = 1):Sending Packet [To "
             "198.51.100.2:500/From 192.0.2.1:500/VRF i0:f0]";
    case Style::kJuniperSrx:
      return "Jul  6 03:32:18  srx kmd[1520]: KMD_PM_SA_ESTABLISHED: Local gateway: 192.0.2.1, "
             "Remote gateway: 198.51.100.2, ...";
  }
  return "";
}

bool is_interleaved_trace_line(std::string_view line) {
  // "A(" or "B(", a peer name, ")| ": the prefix render_log() writes.
  if (line.size() < 6 || (line[0] != 'A' && line[0] != 'B') || line[1] != '(') return false;
  const auto close = line.find(")| ", 2);
  if (close == std::string_view::npos || close > 40) return false;
  for (std::size_t i = 2; i < close; ++i) {
    const char c = line[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  }
  return true;
}

sim::SimTime resolution(Style style) {
  switch (style) {
    case Style::kCiscoAsa:
    case Style::kJuniperSrx:
      return sim::seconds(1);
    case Style::kLibreswan:
      return sim::microseconds(1);
    default:
      return sim::milliseconds(1);
  }
}

namespace {

// ingest() one line at a time: step() reads and feeds one line, so that
// ingest() loops over it and RecordStream pulls records from it.
class LineFeed {
 public:
  LineFeed(std::istream& in, const IngestOptions& options) : in_(in), options_(options) {
    // Detection looks at the first lines only; they are kept and then fed to
    // the chosen reader, so the input is still read once, line by line.
    if (options.style) {
      result_.style = *options.style;
    } else {
      std::size_t votes[std::size(kStyles)] = {};
      std::unique_ptr<detail::LineReader> readers[std::size(kStyles)];
      for (std::size_t i = 0; i < std::size(kStyles); ++i)
        readers[i] = reader_for(kStyles[i], options.peer);
      while (head_.size() < options.detect_lines && next_line()) {
        for (std::size_t i = 0; i < std::size(kStyles) && line_.size() <= kMaxLineBytes; ++i) {
          if (readers[i]->looks_like(line_)) ++votes[i];
        }
        head_.emplace_back(line_no_, line_);
      }
      std::size_t best = 0;
      for (std::size_t i = 1; i < std::size(kStyles); ++i) {
        if (votes[i] > votes[best]) best = i;
      }
      if (votes[best] == 0) {
        std::string tried;
        for (Style s : kStyles) tried += (tried.empty() ? "" : ", ") + std::string(to_string(s));
        bool interleaved = false;
        for (const auto& [n, text] : head_)
          interleaved = interleaved || is_interleaved_trace_line(text);
        if (head_.empty()) throw IngestError("the log is empty; expected a log file");
        throw IngestError("no line of the first " + std::to_string(head_.size()) +
                          " has the shape of a known log style (tried " + tried + ")" +
                          (interleaved ? "; " + std::string(kInterleavedTraceHint) : ""));
      }
      result_.style = kStyles[best];
      result_.detected = true;
    }
    reader_ = reader_for(result_.style, options.peer);
    if (options.on_style) options.on_style(result_.style);
  }

  // Reads one line (a detection line first); false once the log has ended
  // (the last records then handed on).
  bool step() {
    if (done_) return false;
    if (!head_.empty()) {
      auto [n, text] = std::move(head_.front());
      head_.pop_front();
      feed(n, text);
      return true;
    }
    if (next_line()) {
      feed(line_no_, line_);
      return true;
    }
    done_ = true;
    if (options_.on_record) {
      hand_on(result_.records.size());
    } else {
      for (const auto& r : result_.records) note_resolution(r);
    }
    return false;
  }

  IngestResult& result() { return result_; }

 private:
  // The next line into line_, its line end (LF or CRLF) removed, and a
  // UTF-8 byte order mark before the first line (Windows editors write one).
  bool next_line() {
    if (!std::getline(in_, line_)) return false;
    ++line_no_;
    if (line_no_ == 1 && line_.starts_with("\xEF\xBB\xBF")) line_.erase(0, 3);
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    return true;
  }
  void note_resolution(const models::TraceRecord& r) {
    if (r.time.ns() % 1'000'000 != 0) {
      result_.resolution = sim::microseconds(1);
    } else if (r.time.ns() % 1'000'000'000 != 0 && result_.resolution > sim::milliseconds(1)) {
      result_.resolution = sim::milliseconds(1);
    }
  }
  // Hands on the first n records (streaming) and tells the reader.
  void hand_on(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      note_resolution(result_.records[i]);
      options_.on_record(result_.records[i], result_.record_lines[i]);
    }
    result_.records.erase(result_.records.begin(), result_.records.begin() + static_cast<long>(n));
    result_.record_lines.erase(result_.record_lines.begin(),
                               result_.record_lines.begin() + static_cast<long>(n));
    reader_->rebase(n);
  }
  void note_time(const models::TraceRecord& r, std::uint64_t line) {
    if (latest_ && r.time + kBackwardsTolerance < *latest_) {
      if (result_.time_backwards++ == 0) {
        result_.first_backwards_line = line;
        result_.first_backwards_by = *latest_ - r.time;
      }
    }
    if (!latest_ || r.time > *latest_) latest_ = r.time;
  }
  void feed(std::uint64_t n, const std::string& text) {
    if (text.empty()) return;
    ++result_.lines;
    if (text.size() > kMaxLineBytes) {
      count(result_, detail::LineUse::kUnusable, n,
            "line too long (" + std::to_string(text.size()) + " bytes)", options_);
      return;
    }
    const std::size_t before = result_.records.size();
    const std::uint64_t rollovers = result_.long_day_rollovers;
    count(result_, reader_->read(text, result_), n, text, options_);
    if (rollovers == 0 && result_.long_day_rollovers > 0) result_.first_long_rollover_line = n;
    result_.record_lines.resize(result_.records.size(), n);
    for (std::size_t i = before; i < result_.records.size(); ++i) note_time(result_.records[i], n);
    result_.record_count += result_.records.size() - before;
    result_.peak_held = std::max(result_.peak_held, result_.records.size());
    look_for_version(result_, text, n);
    if (options_.on_record && result_.records.size() >= 2 * kStreamKeep)
      hand_on(result_.records.size() - kStreamKeep);
  }

  std::istream& in_;
  const IngestOptions& options_;
  IngestResult result_;
  std::optional<sim::SimTime> latest_;  // the latest record time so far
  std::unique_ptr<detail::LineReader> reader_;
  std::deque<std::pair<std::uint64_t, std::string>> head_;
  std::uint64_t line_no_ = 0;
  std::string line_;
  bool done_ = false;
};

}  // namespace

IngestResult ingest(std::istream& in, const IngestOptions& options) {
  LineFeed feed(in, options);
  while (feed.step()) {
  }
  return std::move(feed.result());
}

struct RecordStream::State {
  IngestOptions options;
  std::deque<std::pair<models::TraceRecord, std::uint64_t>> ready;
  std::optional<LineFeed> feed;
};

RecordStream::RecordStream(std::istream& in, IngestOptions options)
    : s_(std::make_unique<State>()) {
  s_->options = std::move(options);
  s_->options.on_record = [s = s_.get()](const models::TraceRecord& r, std::uint64_t line) {
    s->ready.emplace_back(r, line);
  };
  s_->feed.emplace(in, s_->options);
}
RecordStream::RecordStream(RecordStream&&) noexcept = default;
RecordStream::~RecordStream() = default;

bool RecordStream::next(models::TraceRecord& record, std::uint64_t& line) {
  while (s_->ready.empty()) {
    if (!s_->feed->step()) break;
  }
  if (s_->ready.empty()) return false;
  record = s_->ready.front().first;
  line = s_->ready.front().second;
  s_->ready.pop_front();
  return true;
}

const IngestResult& RecordStream::result() const {
  return s_->feed->result();
}

}  // namespace rekeysim::ingest
