// tcpsim — the HTML player's data: the GUI's layouts serialised as JSON and
// poured into the page template (assets/html/player.{html,css,js}).
// See html_export.hpp for what is computed here and what the page does.
#include "html_export.hpp"

#include <QCoreApplication>
#include <QFile>
#include <QFontMetricsF>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <cmath>
#include <fstream>
#include <map>
#include <memory>

#include "i18n.hpp"
#include "ladder.hpp"
#include "state_diagram.hpp"
#include "tcpsim/export.hpp"
#include "theme.hpp"
#include "trace_view.hpp"

namespace tcpsim::render {

namespace {

// Above this many bytes of JSON the data is embedded deflated (base64) and
// inflated by the page with DecompressionStream: the pile-up scenarios, with
// thousands of events in six ladder layouts, stay under 1 MB that way, and
// the small ones stay plain for any browser.
constexpr int kCompressAbove = 400 * 1024;

// The ladder's widths: the middle column of the page at 1280 px, and a
// phone's screen (390 px less the margins and a scroll bar): the layout wraps its labels for
// the width it has, so a phone gets its own layout rather than a shrunken one.
constexpr double kLadderWidth = 660, kLadderNarrowWidth = 350;

double r1(double x) { return std::round(x * 10) / 10; }

QJsonArray point(QPointF p) { return QJsonArray{r1(p.x()), r1(p.y())}; }

QJsonArray points(const QVector<QPointF>& ps) {
  QJsonArray a;
  for (const auto& p : ps) a.append(point(p));
  return a;
}

QString css_colour(const QColor& c) {
  if (c.alpha() == 0) return QString();
  if (c.alpha() == 255) return c.name(QColor::HexRgb);
  return QString("rgba(%1,%2,%3,%4)").arg(c.red()).arg(c.green()).arg(c.blue()).arg(r1(c.alphaF() * 100) / 100);
}

double font_px(const QFont& f) { return f.pixelSize() > 0 ? f.pixelSize() : r1(f.pointSizeF() * 96.0 / 72.0); }

// Integers (a pixel is the layout's unit) and, for columns that grow, the
// difference from the previous value: the pile-up scenarios' six layouts of
// 15,000 texts each deflate to a few tens of kilobytes this way.
int ri(double x) { return static_cast<int>(std::lround(x)); }

struct Column {
  QJsonArray a;
  bool delta = false;
  long prev = 0;
  void add(long v) {
    a.append(static_cast<double>(delta ? v - prev : v));
    prev = v;
  }
};

// A whole ladder layout, column by column (player.js: ladderTexts()):
//   st: styles [role, fill, colour, border, px, bold]
//   t:  per text: ev (delta), st, x, y (delta), w, h, tick_to, number of lines
//   l:  per line: x and baseline (from the box's corner), string (index into
//       strings, shared by the three scales of a language), width, px (0: the
//       style's)
// Lines sit where draw_text() paints them (ladder.cpp). cur: the cursor
// line's y at every cursor (delta).
QJsonObject ladder_json(const TraceView& v, const Theme& th, TimeScale scale, double width,
                        std::map<QString, int>* strings) {
  LadderOptions lo;
  lo.scale = scale;
  lo.width = width;
  LadderLayout lay(v, th, lo);
  QJsonObject o;
  o["w"] = ri(lay.size().width());
  o["h"] = ri(lay.size().height());
  o["hh"] = ri(lay.header_height());
  o["bottom"] = ri(lay.body_bottom());
  QJsonArray life;
  for (std::size_t h = 0; h < lay.lifeline_count(); ++h) {  // two for a host talking to itself
    const double x = lay.lifeline_x(static_cast<int>(h));
    double top = lay.header_height();
    for (const auto& t : lay.texts())
      if (t.role == LadderText::Header && t.box.left() <= x && x <= t.box.right()) top = t.box.bottom();
    life.append(QJsonArray{ri(x), ri(top)});
  }
  o["life"] = life;
  // The cursor chip's place in the header band (where no text is).
  const QRectF chip = lay.cursor_chip_rect(v.end_time());
  o["chip"] = QJsonArray{ri(chip.left()), ri(chip.top()), ri(chip.width()), ri(chip.height()),
                         font_px(th.font(9.5, true))};
  QJsonArray arrows;
  for (std::size_t k = 0; k < v.arrows().size(); ++k) {
    const QLineF l = lay.arrow_geometry(static_cast<int>(k));
    if (l.isNull()) {
      arrows.append(0);
      continue;
    }
    arrows.append(QJsonArray{ri(l.x1()), ri(l.y1()), ri(l.x2()), ri(l.y2()),
                             css_colour(lay.arrow_color(static_cast<int>(k)))});
  }
  o["arrows"] = arrows;

  std::map<QString, int> style_index;
  QJsonArray styles;
  Column ev, st, x, y, w, h, tick, nl, lx, ly, ls, lw, lp;
  ev.delta = y.delta = true;
  for (std::size_t i = 0; i < lay.texts().size(); ++i) {
    const LadderText& t = lay.texts()[i];
    const LadderLayout::TextStyle s = lay.text_style(i);
    const double px = font_px(s.font);
    const QJsonArray style{t.role, css_colour(s.fill), css_colour(s.color), s.border ? 1 : 0, px, s.font.bold() ? 1 : 0};
    const QString key = QString::fromUtf8(QJsonDocument(style).toJson(QJsonDocument::Compact));
    auto [it, fresh] = style_index.emplace(key, static_cast<int>(styles.size()));
    if (fresh) styles.append(style);
    ev.add(t.event);
    st.add(it->second);
    x.add(ri(t.box.left()));
    y.add(ri(t.box.top()));
    w.add(ri(t.box.width()));
    h.add(ri(t.box.height()));
    tick.add(ri(s.tick_to));
    nl.add(t.lines.size());
    QFontMetricsF fm(s.font);
    const double lh = fm.lineSpacing();
    double base = t.box.top() + (t.box.height() - lh * t.lines.size()) / 2 + fm.ascent();
    for (int k = 0; k < t.lines.size(); ++k) {
      QFont f = s.font;
      const bool sub = t.role == LadderText::Header && k == 1;  // a header's address line
      if (sub) f = th.font(9.5);
      QFontMetricsF lfm(f);
      const double width = lfm.horizontalAdvance(t.lines[k]);
      const double lxv = s.align == 1 ? t.box.center().x() - width / 2
                         : s.align == 2 ? t.box.right() - 3 - width
                                        : t.box.left() + 3;
      if (sub) base = t.box.bottom() - 5 - lfm.descent();
      auto [sit, sfresh] = strings->emplace(t.lines[k], static_cast<int>(strings->size()));
      (void)sfresh;
      lx.add(ri(lxv - t.box.left()));
      ly.add(ri(base - t.box.top()));
      ls.add(sit->second);
      lw.add(ri(width));
      lp.add(sub ? ri(font_px(f)) : 0);
      base += lh;
    }
  }
  o["st"] = styles;
  o["t"] = QJsonObject{{"ev", ev.a}, {"st", st.a}, {"x", x.a}, {"y", y.a}, {"w", w.a}, {"h", h.a},
                       {"tick", tick.a}, {"nl", nl.a}};
  o["l"] = QJsonObject{{"x", lx.a}, {"y", ly.a}, {"s", ls.a}, {"w", lw.a}, {"px", lp.a}};
  QJsonArray breaks;
  for (const auto& [by, text] : lay.breaks()) breaks.append(QJsonArray{ri(by), static_cast<double>(lay.texts()[text].event)});
  o["breaks"] = breaks;
  Column cur;
  cur.delta = true;
  for (std::size_t c = 0; c <= v.size(); ++c) cur.add(ri(lay.cursor_y(c, v.time_at(c))));
  o["cur"] = cur.a;
  return o;
}

QJsonArray text_pair(const std::string& en, const std::string& zh) {
  return QJsonArray{QString::fromStdString(en), QString::fromStdString(zh.empty() ? en : zh)};
}

QJsonObject diagram_arrow_json(const DiagramArrow& a) {
  QJsonObject o;
  o["p"] = points(a.pts);
  o["l"] = point(a.label);
  o["e"] = QJsonArray{a.event, a.event_zh.isEmpty() ? a.event : a.event_zh};
  o["a"] = QJsonArray{a.action, a.action_zh.isEmpty() ? a.action : a.action_zh};
  if (a.rst) o["rst"] = 1;
  if (a.quiet_abort) o["dash"] = 1;
  if (a.dynamic) o["dyn"] = 1;
  return o;
}

// The standard layout of the data file, as DiagramLayout loaded it.
QJsonObject diagram_json() {
  const DiagramLayout& l = DiagramLayout::standard();
  QJsonObject o;
  o["w"] = l.canvas.width();
  o["h"] = l.canvas.height();
  o["bw"] = l.box.width();
  o["bh"] = l.box.height();
  QJsonArray boxes;
  for (const auto& b : l.boxes) boxes.append(QJsonArray{b.id, state_name(b.state), r1(b.c.x()), r1(b.c.y())});
  o["boxes"] = boxes;
  QJsonArray arrows;
  for (const auto& a : l.arrows) arrows.append(diagram_arrow_json(a));
  o["arrows"] = arrows;
  return o;
}

// One end: its transitions with the arrow each lights (resolve_path, as
// the GUI's diagram), and its TCB after every event that recorded one.
QJsonObject end_json(const TraceView& v, std::uint32_t sock) {
  QJsonObject o;
  o["label"] = QString::fromStdString(v.socket_label(sock));
  o["sock"] = static_cast<double>(sock);
  const DiagramState ds = diagram_state(v, sock, v.size(), v.end_time());
  const ResolvedPath rp = resolve_path(DiagramLayout::standard(), ds);
  QJsonArray tr;
  for (std::size_t k = 0; k < ds.path.size(); ++k) {
    const Transition& t = ds.path[k];
    QJsonObject x;
    x["i"] = static_cast<double>(t.index);
    x["from"] = state_name(t.from);
    x["to"] = state_name(t.to);
    x["cause"] = text_pair(t.cause, localize_label(t.cause, "zh_CN"));
    if (k < rp.boxes.size()) x["b0"] = rp.boxes[k];
    if (k + 1 < rp.boxes.size()) x["b1"] = rp.boxes[k + 1];
    if (k < rp.arrows.size()) x["arrow"] = diagram_arrow_json(rp.arrows[k]);
    tr.append(x);
  }
  o["tr"] = tr;
  // The socket as the JSONL trace names it ("ip:port>ip:port"), from its
  // first state event: a reader (and tests/html) finds it there.
  if (!ds.path.empty()) o["addr"] = QString::fromStdString(socket_string(v.event(ds.path.front().index)));
  QJsonArray tcb;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const Event& e = v.event(i);
    if (e.sock != sock || !e.has_tcb) continue;
    const TcbSnapshot& b = e.tcb;
    QJsonArray timers;
    for (int k = 0; k < kNumTimerKinds; ++k)
      if (b.timers[k] > 0) timers.append(QJsonArray{timer_display_name(static_cast<TimerKind>(k)), static_cast<double>(b.timers[k])});
    tcb.append(QJsonArray{static_cast<double>(i), state_name(b.state), static_cast<double>(b.iss),
                          static_cast<double>(b.irs), static_cast<double>(b.snd_una), static_cast<double>(b.snd_nxt),
                          static_cast<double>(b.snd_wnd), static_cast<double>(b.rcv_nxt), static_cast<double>(b.rcv_wnd),
                          static_cast<double>(b.snd_buf), static_cast<double>(b.rcv_buf), static_cast<double>(b.rto),
                          b.retransmits, b.orphan ? 1 : 0, timers});
  }
  o["tcb"] = tcb;
  return o;
}

QString resource(const QString& name) {
  QFile f(":/tcpsim/html/" + name);
  if (!f.open(QIODevice::ReadOnly)) return QString();
  return QString::fromUtf8(f.readAll());
}

// JSON inside <script type="application/json">: '<', '>' and '&' (only ever
// inside strings) as \u escapes, so no text can close the element
// ("</script>") or open a comment; U+2028/2029 too, for older parsers.
std::string json_for_script(const QByteArray& json) {
  std::string out;
  out.reserve(json.size() + 64);
  const std::string s = json.toStdString();
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else if (c == '\xE2' && i + 2 < s.size() && s[i + 1] == '\x80' && (s[i + 2] == '\xA8' || s[i + 2] == '\xA9')) {
      out += s[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else out += c;
  }
  return out;
}

}  // namespace

std::string html_escape(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

bool html_player(const Scenario& s, const Trace& t, const ExportOptions& o, std::string* html, std::string* error,
                 const std::vector<HtmlLink>& links) {
  const QString saved_lang = current_language();
  auto v = std::make_shared<TraceView>(std::shared_ptr<const Trace>(&t, [](const Trace*) {}));
  QJsonObject d;
  d["v"] = 1;
  d["name"] = QString::fromStdString(s.name);
  const std::string title_en = o.title.empty() ? (s.title.en.empty() ? s.name : s.title.en) : o.title;
  const std::string title_zh = o.title.empty() ? (s.title.zh.empty() ? title_en : s.title.zh) : o.title;
  d["title"] = text_pair(title_en, title_zh);
  d["summary"] = text_pair(s.summary.en, s.summary.zh);
  d["lesson"] = text_pair(s.lesson.en, s.lesson.zh);
  QJsonArray tags;
  for (const auto& tag : s.tags) tags.append(QString::fromStdString(tag));
  d["tags"] = tags;
  d["lang"] = QString::fromStdString(o.lang == "zh_CN" ? "zh_CN" : "en");
  d["scale"] = QString::fromStdString(o.time_scale);
  QJsonArray hosts;
  for (const auto& h : t.meta.hosts) hosts.append(QString::fromStdString(h.name));
  d["hosts"] = hosts;

  // The event log in both languages, as the GUI's log and the slides say it.
  install_language("en");
  std::vector<std::string> log_en;
  log_en.reserve(t.events.size());
  for (const auto& e : t.events) log_en.push_back(describe_event(*v, e));
  install_language("zh_CN");
  // Column by column, as the ladders (player.js: decodeEvents()).
  Column et, ek, eh;
  et.delta = true;
  QJsonArray en, zh, kinds;
  for (int k = 0; k <= static_cast<int>(EventKind::Note); ++k) kinds.append(event_kind_name(static_cast<EventKind>(k)));
  for (std::size_t i = 0; i < t.events.size(); ++i) {
    const Event& e = t.events[i];
    et.add(e.t);
    ek.add(static_cast<long>(e.kind));
    eh.add(e.host);
    en.append(QString::fromStdString(log_en[i]));
    zh.append(QString::fromStdString(localize_label(describe_event(*v, e), "zh_CN")));
  }
  d["ev"] = QJsonObject{{"t", et.a}, {"k", ek.a}, {"kinds", kinds}, {"h", eh.a}, {"en", en}, {"zh", zh}};

  // Segments: [send, deliver, drop, from host, to host, flags, rst, retrans].
  QJsonArray segs;
  for (const auto& a : v->arrows()) {
    const Event& e = t.events[a.send];
    segs.append(QJsonArray{static_cast<double>(a.send), static_cast<double>(a.deliver), static_cast<double>(a.drop),
                           a.from_host, a.to_host, QString::fromStdString(flags_string(e.seg.flags)),
                           (e.seg.flags & kRst) ? 1 : 0, e.retrans ? 1 : 0});
  }
  d["segs"] = segs;

  // Both ends' state diagrams: the first connection's two sockets, as
  // `tcpsim export --diagram both` and the GUI.
  d["dia"] = diagram_json();
  QJsonArray ends;
  if (!v->connections().empty()) {
    ends.append(end_json(*v, v->connections()[0].a));
    if (v->connections()[0].b) ends.append(end_json(*v, v->connections()[0].b));
  } else if (!v->sockets().empty()) {
    ends.append(end_json(*v, v->sockets()[0]));
  }
  d["ends"] = ends;

  // The ladder: every time scale in both languages (labels are measured in
  // the language they are drawn in).
  QJsonObject lad, strings_json;
  const std::pair<TimeScale, const char*> scales[] = {
      {TimeScale::Compressed, "compressed"}, {TimeScale::Linear, "linear"}, {TimeScale::Textbook, "textbook"}};
  for (const char* lang : {"en", "zh_CN"}) {
    install_language(lang);
    Theme th = default_theme();
    th.lang = lang;
    std::map<QString, int> strings;
    for (const auto& [scale, name] : scales) {
      QJsonObject per = lad[name].toObject();
      per[lang] = ladder_json(*v, th, scale, kLadderWidth, &strings);
      per[QString(lang) + "/narrow"] = ladder_json(*v, th, scale, kLadderNarrowWidth, &strings);
      lad[name] = per;
    }
    QStringList table(static_cast<int>(strings.size()));
    for (const auto& [text, index] : strings) table[index] = text;
    strings_json[lang] = QJsonArray::fromStringList(table);
  }
  d["lad"] = lad;
  d["str"] = strings_json;
  install_language(saved_lang);

  const QByteArray json = QJsonDocument(d).toJson(QJsonDocument::Compact);
  std::string data_block;
  if (json.size() > kCompressAbove) {
    // qCompress: a 4-byte length, then a zlib stream ("deflate" to the page).
    const QByteArray z = qCompress(json, 9).mid(4).toBase64();
    data_block = "<script type=\"application/octet-stream\" id=\"tcpsim-data-z\">" + z.toStdString() + "</script>";
  } else {
    data_block = "<script type=\"application/json\" id=\"tcpsim-data\">" + json_for_script(json) + "</script>";
  }

  const QString page = resource("player.html"), css = resource("player.css"), js = resource("player.js");
  if (page.isEmpty() || css.isEmpty() || js.isEmpty()) {
    if (error) *error = "the HTML player's template is missing from this build (:/tcpsim/html/)";
    return false;
  }
  // Placeholders are filled in one pass over the template: nothing inserted
  // is scanned again, so a title holding "{{JS}}" stays text.
  const std::string tpl = page.toStdString();
  const std::string title = o.lang == "zh_CN" ? title_zh : title_en;
  std::string out;
  out.reserve(tpl.size() + css.size() + js.size() + data_block.size());
  std::size_t pos = 0;
  while (true) {
    const std::size_t open = tpl.find("{{", pos);
    if (open == std::string::npos) break;
    const std::size_t close = tpl.find("}}", open);
    if (close == std::string::npos) break;
    out.append(tpl, pos, open - pos);
    const std::string key = tpl.substr(open + 2, close - open - 2);
    if (key == "LANG") out += o.lang == "zh_CN" ? "zh-CN" : "en";
    else if (key == "TITLE") out += html_escape(title);
    else if (key == "CSS") out += css.toStdString();
    else if (key == "JS") out += js.toStdString();
    else if (key == "DATA") out += data_block;
    else if (key == "NAV") {
      for (const auto& l : links) {
        out += "<a href=\"" + html_escape(l.href) + "\"";
        if (!l.i18n.empty()) out += " data-i18n=\"" + html_escape(l.i18n) + "\"";
        out += ">" + html_escape(l.text) + "</a> ";
      }
    }
    else out.append(tpl, open, close + 2 - open);
    pos = close + 2;
  }
  out.append(tpl, pos, std::string::npos);
  *html = std::move(out);
  return true;
}

bool export_html(const Scenario& s, const Trace& t, const ExportOptions& o, std::string* error,
                 const std::vector<HtmlLink>& links) {
  std::string html;
  if (!html_player(s, t, o, &html, error, links)) return false;
  std::ofstream f(o.path, std::ios::binary | std::ios::trunc);
  f << html;
  f.flush();
  if (!f) {
    if (error) *error = "cannot write '" + o.path + "'";
    return false;
  }
  return true;
}

}  // namespace tcpsim::render
