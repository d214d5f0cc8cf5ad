// Ladder (sequence) diagram of a trace window as SVG 1.1: peer A's lifeline
// on the left, B's on the right, time running down. Each IKE message is an
// arrow from its send time on the sender's lifeline to its receive time on
// the receiver's, labelled at the sender's end; SA events are marked on the
// lifelines with text on the outer side; collisions, "can't find sa",
// ESP drops, hard expiries and tunnel resets are red with a red band across
// the diagram so the race stands out.
//
// Vertical scale: gaps between instants are drawn on a logarithmic scale
// (a 16 ms one-way delay and a 5 s keep delay both stay readable); gaps of a
// second or more get a dashed break with the true length. Every instant that
// has room carries its time in ms relative to the first record.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <vector>
#include "tools/trace/xml_escape.hpp"

#include "tools/trace/format_common.hpp"
#include "tools/trace/trace_views.hpp"

namespace rekeysim::trace {

namespace {

using models::PeerId;
using models::TraceKind;
using models::TraceRecord;

constexpr double kFontSize = 9.0;
constexpr double kCharWidth = 5.45;  // DejaVu Sans Mono at 9 px
constexpr double kLineHeight = 11.0;
constexpr double kTop = 70.0;         // first instant
constexpr double kTimeColumn = 78.0;  // width of the time labels on the left

std::string escape(const std::string& s) {
  return trace::xml_escape(s);
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

enum class Tone { kNormal, kInstall, kSwitch, kRemove, kAlert, kInfo };

const char* color(Tone t) {
  switch (t) {
    case Tone::kNormal:
      return "#222222";
    case Tone::kInstall:
      return "#1b7f2a";
    case Tone::kSwitch:
      return "#1f5fbf";
    case Tone::kRemove:
      return "#777777";
    case Tone::kAlert:
      return "#d0021b";
    case Tone::kInfo:
      return "#8a5a00";
  }
  return "#222222";
}

// A lifeline mark: what happened to a peer's SAs, in words and colour.
struct Mark {
  std::string text;
  Tone tone = Tone::kNormal;
};

std::optional<Mark> mark_of(const TraceRecord& r) {
  using detail::hex_0x;
  switch (r.kind) {
    case TraceKind::kRekeyStarted:
      if (r.sa_kind == models::SaKind::kIke) return Mark{"IKE rekey timer", Tone::kInfo};
      return Mark{"rekey timer " + hex_0x(r.spi_in), Tone::kInfo};
    case TraceKind::kChildSaInstalled:
      return Mark{"install in " + hex_0x(r.spi_in) + " out " + hex_0x(r.spi_out), Tone::kInstall};
    case TraceKind::kOutboundSwitched:
      return Mark{"send on " + hex_0x(r.spi_out), Tone::kSwitch};
    case TraceKind::kInboundRemoved:
      return Mark{"remove in " + hex_0x(r.spi_in), Tone::kRemove};
    case TraceKind::kOutboundRemoved:
      return Mark{"remove out " + hex_0x(r.spi_out), Tone::kRemove};
    case TraceKind::kChildSaDeleted:
      return Mark{"SA gone " + hex_0x(r.spi_in) + "/" + hex_0x(r.spi_out), Tone::kRemove};
    case TraceKind::kRekeyCompleted:
      return Mark{"rekeyed -> " + hex_0x(r.new_spi_in), Tone::kInstall};
    case TraceKind::kCollisionDetected:
      return Mark{"COLLISION " + std::string{models::to_string(r.collision)}, Tone::kAlert};
    case TraceKind::kCollisionResolved:
      return Mark{std::string("collision ") + (r.won ? "won" : "lost"), Tone::kAlert};
    case TraceKind::kDeleteForUnknownSpi:
      return Mark{"can't find sa for proto ESP spi " + hex_0x(r.spi_in), Tone::kAlert};
    case TraceKind::kRekeyForUnknownSpi:
      return Mark{"REKEY_SA for unknown spi " + hex_0x(r.spi_in), Tone::kAlert};
    case TraceKind::kNotifyReceived:
      return Mark{"notify " + std::string{models::to_string(r.notify)}, Tone::kInfo};
    case TraceKind::kRetryScheduled:
      return Mark{"retry scheduled", Tone::kInfo};
    case TraceKind::kHardExpired:
      return Mark{"HARD EXPIRED " + hex_0x(r.spi_in), Tone::kAlert};
    case TraceKind::kEspDropped:
      return Mark{"ESP dropped: " + std::to_string(r.count) + " pkt to " + hex_0x(r.spi_in),
                  Tone::kAlert};
    case TraceKind::kIkeSaRekeyed:
      return Mark{"IKE SA rekeyed", Tone::kInstall};
    case TraceKind::kIkeSaDeleted:
      return Mark{"IKE SA deleted", Tone::kRemove};
    case TraceKind::kTunnelDown:
      return Mark{"TUNNEL DOWN", Tone::kAlert};
    case TraceKind::kTunnelUp:
      return Mark{"tunnel up", Tone::kInstall};
    case TraceKind::kEspNoSa:
      return Mark{"no SA: " + std::to_string(r.count) + " pkt dropped", Tone::kAlert};
    case TraceKind::kEspCleartext:
      return Mark{"no SA: " + std::to_string(r.count) + " pkt sent in clear", Tone::kAlert};
    case TraceKind::kEspLinkDown:
      return Mark{"link down: " + std::to_string(r.count) + " pkt lost", Tone::kAlert};
    default:
      return std::nullopt;
  }
}

bool is_send(TraceKind k) {
  return k == TraceKind::kMessageSent || k == TraceKind::kRetransmit;
}

bool same_message(const models::Message& a, const models::Message& b) {
  return a.exchange == b.exchange && a.is_response == b.is_response &&
         a.message_id == b.message_id && a.ike_sa == b.ike_sa;
}

// Splits a message label into lines that fit `max_chars`, breaking only at
// spaces between payloads (never inside "N(REKEY_SA 0x...)").
std::vector<std::string> wrap(const std::string& text, std::size_t max_chars) {
  std::vector<std::string> words;
  std::string word;
  int depth = 0;
  for (char ch : text) {
    if (ch == '(') ++depth;
    if (ch == ')') --depth;
    if (ch == ' ' && depth == 0) {
      words.push_back(word);
      word.clear();
    } else {
      word += ch;
    }
  }
  words.push_back(word);
  std::vector<std::string> lines;
  std::string line;
  for (const std::string& w : words) {
    if (!line.empty() && line.size() + 1 + w.size() > max_chars) {
      lines.push_back(line);
      line.clear();
    }
    if (!line.empty()) line += ' ';
    line += w;
  }
  lines.push_back(line);
  return lines;
}

// Characters as drawn (a UTF-8 sequence is one glyph).
std::size_t utf8_length(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

struct Arrow {
  std::size_t send = 0;                // index of the send record
  std::optional<std::size_t> receive;  // index of the matching receive
  bool lost = false;
  bool retransmit = false;
  bool alert = false;  // its receipt triggered "can't find sa"
};

}  // namespace

std::string render_ladder_svg(std::span<const TraceRecord> input, const LadderOptions& opt) {
  // Stable time order (records of one instant keep the order they happened in).
  std::vector<TraceRecord> recs(input.begin(), input.end());
  std::stable_sort(recs.begin(), recs.end(),
                   [](const TraceRecord& a, const TraceRecord& b) { return a.time < b.time; });

  const double width = std::max(900, opt.width);
  const double x_a = kTimeColumn + (width - kTimeColumn) * 0.24;
  const double x_b = width - (width - kTimeColumn) * 0.24;
  const double side_room = x_a - kTimeColumn - 14;  // for lifeline marks
  const double label_room = (x_b - x_a) / 2 - 14;   // for message labels at the sender
  const auto label_chars = static_cast<std::size_t>(label_room / kCharWidth);
  const auto mark_chars = static_cast<std::size_t>(side_room / kCharWidth);
  auto x_of = [&](PeerId p) { return p == PeerId::kA ? x_a : x_b; };

  // ---- Pair sends with receives (and losses) ----------------------------
  std::vector<Arrow> arrows;
  std::vector<bool> used(recs.size(), false);
  std::vector<std::optional<std::size_t>> arrow_of_receive(recs.size());
  for (std::size_t i = 0; i < recs.size(); ++i) {
    if (!is_send(recs[i].kind)) continue;
    Arrow a;
    a.send = i;
    a.retransmit = recs[i].kind == TraceKind::kRetransmit;
    for (std::size_t j = i + 1; j < recs.size(); ++j) {
      // A message arrives within seconds or is lost: a bounded search keeps
      // a whole-trial trace close to linear.
      if (recs[j].time - recs[i].time > sim::minutes(5)) break;
      if (used[j] || !same_message(recs[j].message, recs[i].message)) continue;
      if (recs[j].kind == TraceKind::kMessageLost && recs[j].peer == recs[i].peer) {
        used[j] = true;
        a.lost = true;
        break;
      }
      if (recs[j].kind == TraceKind::kMessageReceived && recs[j].peer != recs[i].peer) {
        used[j] = true;
        a.receive = j;
        for (std::size_t k = j + 1; k < recs.size() && recs[k].time == recs[j].time; ++k) {
          if (recs[k].peer == recs[j].peer && recs[k].kind == TraceKind::kDeleteForUnknownSpi) {
            a.alert = true;
          }
        }
        break;
      }
    }
    if (a.receive) arrow_of_receive[*a.receive] = arrows.size();
    arrows.push_back(a);
  }

  // ---- Vertical layout ----------------------------------------------------
  std::vector<double> y(recs.size(), 0);
  std::vector<std::vector<std::string>> label_lines(recs.size());
  struct Break {
    double y0, y1;
    sim::SimTime gap;
  };
  std::vector<Break> breaks;
  struct TimeLabel {
    double y;
    sim::SimTime t;
  };
  std::vector<TimeLabel> time_labels;
  const sim::SimTime t0 = recs.empty() ? sim::SimTime{} : recs.front().time;
  double group_bottom = kTop;  // lowest y used by the current instant
  double instant_top = kTop;   // the time-derived y of the current instant
  double last_y[2] = {kTop - 100, kTop - 100};
  double last_label_y = -100;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const TraceRecord& r = recs[i];
    const bool drawn =
        is_send(r.kind) || r.kind == TraceKind::kMessageReceived || mark_of(r).has_value();
    if (!drawn) continue;
    // Items of one instant line up across both lifelines where there is room.
    double base = instant_top;
    const bool new_instant = i == 0 || r.time != recs[i - 1].time;
    if (i > 0 && new_instant) {
      const sim::SimTime dt = r.time - recs[i - 1].time;
      const double dt_ms = static_cast<double>(dt.ns()) / 1e6;
      double gap = 5 + 16 * std::log10(1 + dt_ms / 0.25);
      if (dt >= sim::seconds(1)) {
        breaks.push_back({group_bottom + 8, group_bottom + 34, dt});
        gap = 48;
      }
      base = group_bottom + gap;
    }
    if (new_instant) instant_top = base;
    double need = 13;  // a mark with its text
    if (is_send(r.kind)) {
      std::string label = detail::message_summary(r.message, true);
      if (r.kind == TraceKind::kRetransmit) label = "retransmit " + label;
      label_lines[i] = wrap(label, label_chars);
      need = 4 + kLineHeight * static_cast<double>(label_lines[i].size());
    } else if (r.kind == TraceKind::kMessageReceived) {
      need = 6;
    }
    const std::size_t side = static_cast<std::size_t>(r.peer);
    y[i] = std::max(base, last_y[side] + need);
    last_y[side] = y[i];
    group_bottom = new_instant ? y[i] : std::max(group_bottom, y[i]);
    if (new_instant && y[i] - last_label_y >= kLineHeight) {
      time_labels.push_back({y[i], r.time - t0});
      last_label_y = y[i];
    }
  }
  const double bottom = std::max(group_bottom, std::max(last_y[0], last_y[1])) + 30;
  const double legend_h = 98;
  const double height = bottom + legend_h + 10;

  // ---- Emit ----------------------------------------------------------------
  std::string svg;
  svg += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  // Rasterisers (librsvg) refuse images over 32767 px; a very long trace
  // (a whole trial) keeps its coordinates but asks for a smaller image.
  const double scale = std::min(1.0, 32000.0 / height);
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + num(width * scale) +
         "\" height=\"" + num(height * scale) + "\" viewBox=\"0 0 " + num(width) + " " +
         num(height) + "\" font-family=\"DejaVu Sans Mono, monospace\" font-size=\"" +
         num(kFontSize) + "\">\n";
  svg += "<defs>\n";
  for (const char* name : {"req", "resp", "alert"}) {
    const char* fill = std::string_view(name) == "alert"  ? color(Tone::kAlert)
                       : std::string_view(name) == "resp" ? "#555555"
                                                          : "#222222";
    svg += std::string("<marker id=\"head-") + name +
           "\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" "
           "orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"" +
           fill + "\"/></marker>\n";
  }
  svg += "</defs>\n";
  svg += "<rect x=\"0\" y=\"0\" width=\"" + num(width) + "\" height=\"" + num(height) +
         "\" fill=\"#ffffff\"/>\n";
  if (!opt.title.empty()) {
    svg += "<text x=\"" + num(width / 2) +
           "\" y=\"20\" text-anchor=\"middle\" font-size=\"13\" "
           "font-weight=\"bold\">" +
           escape(opt.title) + "</text>\n";
  }

  // Red bands behind alert rows.
  for (std::size_t i = 0; i < recs.size(); ++i) {
    auto m = mark_of(recs[i]);
    if (m && m->tone == Tone::kAlert) {
      svg += "<rect x=\"" + num(kTimeColumn) + "\" y=\"" + num(y[i] - 7) + "\" width=\"" +
             num(width - kTimeColumn - 6) + "\" height=\"11\" fill=\"#fde2e2\"/>\n";
    }
  }

  // Lifelines and headers.
  for (PeerId p : {PeerId::kA, PeerId::kB}) {
    const double x = x_of(p);
    const std::string& name = p == PeerId::kA ? opt.peer_a_name : opt.peer_b_name;
    const double box = std::max(90.0, 7.6 * static_cast<double>(name.size()) + 16);
    svg += "<rect x=\"" + num(x - box / 2) + "\" y=\"30\" width=\"" + num(box) +
           "\" height=\"22\" rx=\"4\" fill=\"#eef2f8\" stroke=\"#334\"/>\n";
    svg += "<text x=\"" + num(x) +
           "\" y=\"45\" text-anchor=\"middle\" font-size=\"12\" "
           "font-weight=\"bold\">" +
           escape(name) + "</text>\n";
    svg += "<line x1=\"" + num(x) + "\" y1=\"52\" x2=\"" + num(x) + "\" y2=\"" + num(bottom) +
           "\" stroke=\"#99a\" stroke-width=\"1.5\"/>\n";
  }

  // Time breaks.
  for (const Break& b : breaks) {
    svg += "<line x1=\"" + num(kTimeColumn) + "\" y1=\"" + num(b.y0) + "\" x2=\"" + num(width - 6) +
           "\" y2=\"" + num(b.y0) + "\" stroke=\"#bbb\" stroke-dasharray=\"4,4\"/>\n";
    svg += "<line x1=\"" + num(kTimeColumn) + "\" y1=\"" + num(b.y1) + "\" x2=\"" + num(width - 6) +
           "\" y2=\"" + num(b.y1) + "\" stroke=\"#bbb\" stroke-dasharray=\"4,4\"/>\n";
    svg += "<text x=\"" + num((x_a + x_b) / 2) + "\" y=\"" + num((b.y0 + b.y1) / 2 + 3) +
           "\" text-anchor=\"middle\" fill=\"#777\">… " + escape(detail::millis_text(b.gap)) +
           " later …</text>\n";
  }

  // Time labels.
  for (const TimeLabel& t : time_labels) {
    svg += "<text x=\"" + num(kTimeColumn - 6) + "\" y=\"" + num(t.y + 3) +
           "\" text-anchor=\"end\" fill=\"#666\">+" + escape(detail::millis_text(t.t)) +
           "</text>\n";
    svg += "<line x1=\"" + num(kTimeColumn - 3) + "\" y1=\"" + num(t.y) + "\" x2=\"" +
           num(kTimeColumn + 2) + "\" y2=\"" + num(t.y) + "\" stroke=\"#999\"/>\n";
  }

  // Arrows: every line first, then every label on an opaque background.
  struct Label {
    double x, y;
    bool start;  // text-anchor start (else end)
    const char* fill;
    std::string text;
  };
  std::vector<Label> labels;
  const std::string halo = "stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\"";
  for (const Arrow& a : arrows) {
    const TraceRecord& s = recs[a.send];
    const double x0 = x_of(s.peer);
    const double x1 = x_of(models::other(s.peer));
    const double y0 = y[a.send];
    double xe = x1;
    double ye = y0 + 8;
    if (a.receive) ye = y[*a.receive];
    if (a.lost || !a.receive) xe = (x0 + x1) / 2;
    const bool resp = s.message.is_response;
    const char* stroke = a.alert ? color(Tone::kAlert) : resp ? "#555555" : "#222222";
    // Three dash styles the legend names apart: lost in the network (red,
    // ends in ✕), outside the window (grey, long dashes), retransmission
    // (dotted).
    std::string dash;
    if (a.lost) {
      stroke = color(Tone::kAlert);
      dash = " stroke-dasharray=\"5,3\"";
    } else if (!a.receive) {
      stroke = "#999999";
      dash = " stroke-dasharray=\"9,4\"";
    }
    if (a.retransmit) dash = " stroke-dasharray=\"2,2\"";
    const char* head = a.alert ? "alert" : resp ? "resp" : "req";
    svg += "<line x1=\"" + num(x0) + "\" y1=\"" + num(y0) + "\" x2=\"" + num(xe) + "\" y2=\"" +
           num(ye) + "\" stroke=\"" + stroke + "\" stroke-width=\"" + (a.alert ? "2" : "1.3") +
           "\"" + dash + (a.lost ? "" : std::string(" marker-end=\"url(#head-") + head + ")\"") +
           "/>\n";
    if (a.lost) {
      svg += "<text x=\"" + num(xe) + "\" y=\"" + num(ye + 4) +
             "\" text-anchor=\"middle\" "
             "font-size=\"13\" font-weight=\"bold\" fill=\"" +
             color(Tone::kAlert) + "\">✕ lost</text>\n";
    }
    // Label above the start, on the sender's half of the ladder; drawn
    // after every line (below) so no other arrow crosses through the text.
    const bool from_a = s.peer == PeerId::kA;
    const double lx = from_a ? x0 + 6 : x0 - 6;
    const auto& lines = label_lines[a.send];
    for (std::size_t k = 0; k < lines.size(); ++k) {
      const double ly = y0 - 3 - kLineHeight * static_cast<double>(lines.size() - 1 - k);
      labels.push_back({lx, ly, from_a, stroke, lines[k]});
    }
  }
  // Receives whose send is before the window: a short stub from the sender's side.
  for (std::size_t i = 0; i < recs.size(); ++i) {
    if (recs[i].kind != TraceKind::kMessageReceived || arrow_of_receive[i]) continue;
    const double x1 = x_of(recs[i].peer);
    const double x0 = (x_of(models::other(recs[i].peer)) + x1) / 2;
    svg += "<line x1=\"" + num(x0) + "\" y1=\"" + num(y[i] - 8) + "\" x2=\"" + num(x1) +
           "\" y2=\"" + num(y[i]) +
           "\" stroke=\"#999999\" stroke-dasharray=\"9,4\" "
           "marker-end=\"url(#head-resp)\"/>\n";
    const bool to_a = recs[i].peer == PeerId::kA;
    labels.push_back({to_a ? x1 + 6 : x1 - 6, y[i] - 3, to_a, "#555555",
                      detail::message_summary(recs[i].message, true)});
  }
  for (const Label& l : labels) {
    const double w = kCharWidth * static_cast<double>(utf8_length(l.text)) + 4;
    svg += "<rect x=\"" + num(l.start ? l.x - 2 : l.x - w + 2) + "\" y=\"" + num(l.y - 8.5) +
           "\" width=\"" + num(w) + "\" height=\"11\" fill=\"#ffffff\" fill-opacity=\"0.92\"/>\n";
    svg += "<text x=\"" + num(l.x) + "\" y=\"" + num(l.y) + "\" text-anchor=\"" +
           (l.start ? "start" : "end") + "\" fill=\"" + l.fill + "\" " + halo + ">" +
           escape(l.text) + "</text>\n";
  }

  // Lifeline marks.
  for (std::size_t i = 0; i < recs.size(); ++i) {
    auto m = mark_of(recs[i]);
    if (!m) continue;
    const double x = x_of(recs[i].peer);
    const bool left = recs[i].peer == PeerId::kA;
    const char* c = color(m->tone);
    std::string text = m->text;
    if (text.size() > mark_chars) text = text.substr(0, mark_chars - 1) + "…";
    svg +=
        "<circle cx=\"" + num(x) + "\" cy=\"" + num(y[i]) + "\" r=\"3.5\" fill=\"" + c + "\"/>\n";
    svg += "<text x=\"" + num(left ? x - 8 : x + 8) + "\" y=\"" + num(y[i] + 3) +
           "\" text-anchor=\"" + (left ? "end" : "start") + "\" fill=\"" + c + "\"" +
           (m->tone == Tone::kAlert ? " font-weight=\"bold\"" : "") + ">" + escape(text) +
           "</text>\n";
  }

  // Legend.
  const double ly = bottom + 12;
  svg += "<rect x=\"" + num(kTimeColumn) + "\" y=\"" + num(ly) + "\" width=\"" +
         num(width - kTimeColumn - 6) + "\" height=\"" + num(legend_h - 10) +
         "\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n";
  double lx = kTimeColumn + 12;
  const double row1 = ly + 18;
  const double row1b = ly + 36;
  const double row2 = ly + 56;
  auto legend_arrow = [&](double x, double yy, const char* stroke, const char* head,
                          const char* dash, const char* text) {
    svg += "<line x1=\"" + num(x) + "\" y1=\"" + num(yy) + "\" x2=\"" + num(x + 34) + "\" y2=\"" +
           num(yy) + "\" stroke=\"" + stroke + "\" stroke-width=\"1.3\"" + dash +
           (head[0] ? std::string(" marker-end=\"url(#head-") + head + ")\"" : "") + "/>\n";
    svg += "<text x=\"" + num(x + 40) + "\" y=\"" + num(yy + 3) + "\">" + text + "</text>\n";
  };
  legend_arrow(lx, row1, "#222222", "req", "", "request");
  legend_arrow(lx + 130, row1, "#555555", "resp", "", "response");
  legend_arrow(lx + 260, row1, "#222222", "req", " stroke-dasharray=\"2,2\"", "retransmit");
  legend_arrow(lx + 400, row1, color(Tone::kAlert), "alert", "", "DELETE hitting a removed SPI");
  legend_arrow(lx, row1b, color(Tone::kAlert), "", " stroke-dasharray=\"5,3\"",
               "lost in the network (ends in ✕)");
  legend_arrow(lx + 260, row1b, "#999999", "resp", " stroke-dasharray=\"9,4\"",
               "sent before or received after the window shown");
  auto legend_dot = [&](double x, Tone t, const char* text) {
    svg += "<circle cx=\"" + num(x) + "\" cy=\"" + num(row2) + "\" r=\"3.5\" fill=\"" + color(t) +
           "\"/>\n";
    svg += "<text x=\"" + num(x + 8) + "\" y=\"" + num(row2 + 3) + "\">" + text + "</text>\n";
  };
  legend_dot(lx, Tone::kInstall, "SA installed");
  legend_dot(lx + 130, Tone::kSwitch, "outbound switched");
  legend_dot(lx + 280, Tone::kRemove, "SA half removed");
  legend_dot(lx + 420, Tone::kInfo, "timer / notify");
  legend_dot(lx + 560, Tone::kAlert, "collision, can't find sa, ESP drop, reset");
  svg += "<text x=\"" + num(lx) + "\" y=\"" + num(row2 + 20) +
         "\" fill=\"#888\">time runs down; gaps between instants on a log scale; times in ms "
         "since the first record</text>\n";
  svg += "</svg>\n";
  return svg;
}

}  // namespace rekeysim::trace
