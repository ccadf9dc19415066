// tcpsim — the packet timeline (ladder diagram): a lifeline per host, time
// going down, each segment an arrow from its send time to its arrival time
// labelled with flags and relative seq/ack/len; drops end in a cross,
// retransmissions are dashed; state changes, calls, timers and signals are
// annotated on the lifelines. Three time scales (TimeScale).
//
// Every segment and every annotation has its own vertical slot: segments sent
// at the same instant are separate, parallel arrows; arrows of equal delay have
// equal slopes. Every text is laid out once, as a box registered with the
// layout, and placed where it overlaps no other box and stays on the canvas
// (wrapped when long; a call's return value and errno come first when it must
// be shortened), so nothing is drawn on top of anything else.
//
// Layout is computed once for the whole trace (or a time window), so moving
// the cursor never moves anything: events after the cursor are simply not
// drawn yet.
#pragma once

#include <QLineF>
#include <QRectF>
#include <QSizeF>
#include <QString>
#include <QStringList>
#include <QWidget>
#include <map>
#include <optional>
#include <vector>

#include "theme.hpp"
#include "trace_view.hpp"

class QPainter;
class QScrollArea;

namespace tcpsim::render {

// How virtual time maps to the vertical axis (issue #12):
//  Compressed: proportional, long idle periods cut with a "≈ N later" marker;
//  Linear: uniform time (every delay the same slope, backoff visibly doubling);
//  Textbook: one row per segment, constant slope (Stevens / Kurose-Ross).
enum class TimeScale { Compressed, Linear, Textbook };
// "compressed" | "linear" | "textbook"; nullopt for anything else.
std::optional<TimeScale> parse_time_scale(const QString& s);
QString time_scale_name(TimeScale s);

struct LadderOptions {
  TimeScale scale = TimeScale::Compressed;
  Time from = 0, to = kNever;  // time window
  double px_per_ms = 28;       // zoom
  double width = 1040;
  QString title;               // drawn above the header when set (exports)
  bool legend = false;         // draw the legend at the bottom (exports)
  // Successful calls and timer annotations (Textbook figures often leave
  // them out: GUI View > Show calls and timers, `tcpsim export --no-calls`).
  // Failed calls, states, drops and notes are always shown.
  bool calls_and_timers = true;
  // A time axis shared with another ladder (the lab's comparison, issue #13):
  // the instant at time t starts no higher than (*align)[t], so two runs
  // laid out with the same map line up wherever they have an instant in
  // common. Null: this ladder's own axis.
  std::shared_ptr<const std::map<Time, double>> align;
};

// One text box the layout placed (for tooltips and the geometry tests).
struct LadderText {
  QRectF box;             // the text's box, canvas coordinates
  QStringList lines;      // the lines drawn
  QString full;           // the whole text (== lines joined unless shortened)
  bool elided = false;    // true when `lines` do not hold all of `full`
  std::ptrdiff_t event = -1;  // event it belongs to (-1: header, axis, legend)
  int role = 0;           // LadderText::Role
  int font_px = 0;        // the font's pixel size it is drawn with
  enum Role { Annotation, SegmentLabel, DropReason, TimeLabel, GapMarker, Header, Title, Legend, RstBadge };
};

class LadderLayout {
 public:
  LadderLayout(const TraceView& v, const Theme& th, LadderOptions o);

  QSizeF size() const { return size_; }
  double y_of(Time t) const;
  double lifeline_x(int host) const;
  // Lifelines drawn: one per host, two for a host with connections to
  // itself (its connecting and its listening side, in that order), so
  // lifeline_x() takes the host indices of lane_view(), not of the caller's view.
  std::size_t lifeline_count() const { return host_x_.size(); }
  const TraceView& lane_view() const { return v_; }
  // Paint events [0, cursor) with the cursor line at `now` (cursor == size():
  // the whole trace, no cursor line when show_cursor is false). The cursor's
  // time chip ("▶ 3.000 s") sits in the header band (cursor_chip_rect).
  // With `whole_within` (the part of the layout in sight), a text is drawn
  // whole or not at all: none is cut in half by the edge of a scrolled view.
  void paint(QPainter& p, std::size_t cursor, Time now, int selected_arrow,
             bool show_cursor, const QRectF* whole_within = nullptr) const;
  // The band above the body: [0, header_height()) holds the title, the host
  // headers and the cursor chip, and nothing of the body. The GUI keeps it
  // on screen while the body scrolls (LadderWidget's sticky header):
  // paint_header draws the band alone (background, headers, the lifelines'
  // start, the chip when show_cursor).
  double header_height() const { return header_h_; }
  void paint_header(QPainter& p, Time now, bool show_cursor) const;
  // Where the cursor chip for `now` is drawn: in the header band, beside the
  // host headers, where no text is (a row of its own when there is no room).
  QRectF cursor_chip_rect(Time now) const;
  // The y of the cursor line: below the last event shown (at `now`'s place
  // on the time axis when that is lower).
  double cursor_y(std::size_t cursor, Time now) const;
  // Arrow under a point (drawn ones only), -1 if none.
  int arrow_at(QPointF pt, std::size_t cursor, Time now) const;
  // Arrows drawn at this cursor (sent before it, inside the window).
  int drawn_arrows(std::size_t cursor) const;
  // The whole text of the label under a point (drawn at this cursor), for a
  // tooltip: a shortened label's full text. Empty when there is none.
  QString text_at(QPointF pt, std::size_t cursor) const;

  // Geometry, for tests: every text box placed (drawn when the cursor is at
  // the end), and the line of each arrow of the window (index = arrow index
  // in TraceView::arrows(); a null line for arrows outside the window).
  const std::vector<LadderText>& texts() const { return texts_; }
  // The labels of the segments in flight at the cursor, where paint() draws
  // them: beside the part of the arrow drawn so far and above the cursor
  // line, clear of every other text shown (the layout's place for a label
  // is mid-way along the whole arrow, below the line and away from the stub
  // while the segment flies). `placed` is false when no free place was
  // found (a burst of many segments): that label is not drawn until its
  // segment has arrived (the log, the inspector and the tooltip have it).
  struct FlightLabel {
    std::size_t text = 0;  // texts_ index
    int arrow = -1;
    QLineF stub;           // the part of the arrow drawn
    QRectF box;            // where the label is drawn
    bool placed = false;   // beside its stub, above the line, on no other text
  };
  std::vector<FlightLabel> in_flight_labels(std::size_t cursor, Time now, bool show_cursor = true) const;
  QLineF arrow_geometry(int arrow) const;
  // The box of a dropped segment's ✕ (no text, label or other arrow on it);
  // empty when the arrow is not dropped. A segment a host dropped on
  // arrival (a NAT, a crashed host) ends at that host's lifeline; one lost
  // on the link, part way across.
  QRectF drop_cross(int arrow) const;
  double time_column_width() const { return time_col_; }
  // The width at which nothing is squeezed: the time column, each outer
  // annotation column as wide as its widest unbreakable word (a state's
  // name, "= -1 ECONNRESET"), and lifelines far enough apart for the
  // widest segment label (on one line up to 176 px), and every annotation
  // of an outer host at its font in at most four lines. The main window gives
  // the timeline this much when it can (MainWindow::applyLectureLayout).
  double natural_width() const { return natural_w_; }
  // The top of every instant (time, y), in time order: what a shared time
  // axis aligns (LadderOptions::align).
  std::vector<std::pair<Time, double>> instant_tops() const;
  // The y of event i (a segment's send or end, an annotation's row); events
  // outside the window: the top or the bottom of the body.
  double event_y(std::size_t i) const;
  // How text i of texts() is drawn, and an arrow's colour, the breaks and
  // the lifelines' extent: for drawings made elsewhere from this one layout
  // (the HTML player, html_export.cpp), so they need no layout of their own.
  struct TextStyle {
    QFont font;
    QColor color, fill;    // fill: transparent for none
    bool border = false;   // rounded, black (state tags, headers)
    int align = 0;         // 0 left, 1 centre, 2 right
    double tick_to = -1;   // x of the lifeline a state tag is ticked to
  };
  TextStyle text_style(std::size_t i) const;
  QColor arrow_color(int arrow) const;
  std::vector<std::pair<double, int>> breaks() const;  // (y, texts() index of its marker)
  double body_bottom() const { return body_bottom_; }

 private:
  struct Gap {  // a "≈ N later" marker (Compressed)
    double y;
    Time dt;
    int text;  // index into texts_
  };
  struct Instant {
    Time t;
    double top, bottom;  // band of the events at this instant
  };
  struct ArrowGeom {
    double y0 = -1, y1 = -1;  // send and end
    double x0 = 0, x1 = 0;
    bool in_window = false;
    int label = -1;           // index into texts_
    QRectF cross;             // the ✕ of a dropped segment, kept free of texts (empty: none)
  };
  struct Style {
    QFont font;
    QColor color;
    QColor fill;           // background (transparent: none)
    bool border = false;
    int align = 0;         // 0 left, 1 centre, 2 right
    double tick_to = -1;   // x of the lifeline a state tag is ticked to
  };
  struct Prepared {        // a text measured and wrapped once, placed by every pass
    std::size_t event;
    int host = 0;
    int kind = 3;          // 0 state, 1 call, 2 timer, 3 other, 4 segment label, 5 drop reason
    LadderText text;       // box size only (at 0,0)
    Style style;
  };
  struct LegendSample {
    QPointF at;
    int what;              // 0..n: sample kind
  };
  void prepare(const std::vector<double>& host_x, double* need_l = nullptr, double* need_r = nullptr);
  void layout_pass(const std::map<Time, double>& span_of_delay);
  double gap_height(Time dt, bool flight) const;
  double span_for(Time delay, const std::map<Time, double>& span_of_delay) const;
  int add_text(LadderText t, const Style& st);
  bool room_free(const QRectF& r) const;
  double find_free(QRectF r, double step, double limit) const;  // the first free top at or below r.top()
  QLineF arrow_line(int idx, std::size_t cursor, Time now, bool* partial) const;
  void build_legend(double y);
  QColor arrow_colour(const SegArrow& a, bool rst) const;
  void draw_text(QPainter& p, std::size_t i) const;
  void draw_chip(QPainter& p, Time now) const;

  std::vector<Prepared> prep_;           // annotations, in event order
  std::vector<int> prep_label_;          // per arrow: index into prep_ of its label (-1)
  std::vector<int> prep_drop_;           // per arrow: index into prep_ of its drop reason (-1)
  std::vector<Style> styles_;            // per text
  std::vector<LegendSample> legend_samples_;
  std::vector<std::pair<int, double>> header_boxes_;  // texts_ index of each host header

  // Per lifeline, the index of its host in the caller's view (a host talking
  // to itself has two lifelines); empty when lanes_ is null. Declared before
  // lanes_, whose initializer fills it.
  std::vector<int> lane_host_;
  // A host talking to itself split into two lifelines (loopback_lanes in
  // ladder.cpp); null when there is none. v_ is this view or the caller's.
  std::shared_ptr<const TraceView> lanes_;
  const TraceView& v_;
  Theme th_;
  LadderOptions o_;
  std::size_t first_ = 0, last_ = 0;  // event index window [first_, last_)
  std::vector<Instant> instants_;
  std::vector<Gap> gaps_;
  std::vector<ArrowGeom> ag_;
  std::vector<LadderText> texts_;
  std::vector<std::size_t> text_order_;  // texts_ indices sorted by box top
  std::map<long, std::vector<int>> grid_;  // y cell -> texts_ indices (collision index)
  std::map<long, std::vector<int>> cross_grid_;  // y cell -> arrows whose ✕ is there
  bool dropped_at_host(const SegArrow& a) const;
  std::vector<double> host_x_;
  std::vector<double> event_y_;  // y of events [first_, last_)
  std::vector<double> shown_bottom_;  // lowest y drawn by events [first_, i], for cursor_y
  QSizeF size_;
  double header_h_ = 0, title_h_ = 0, line_h_ = 0, legend_h_ = 0;
  double break_h_ = 0, send_slot_ = 0;
  double px_per_ms_ = 28;  // the scale's px per ms (Linear may raise it)
  double time_col_ = 64;   // width of the time labels column
  double natural_w_ = 0;   // natural_width()
  double max_span_ = 0;    // the tallest arrow (send to end), for culling
  double max_text_h_ = 0;  // the tallest text box, for culling
  double body_bottom_ = 0;
  QRectF chip_slot_;       // room for the cursor chip in the header band
};

// The scrollable, zoomable ladder for the app.
class LadderWidget : public QWidget {
  Q_OBJECT
 public:
  explicit LadderWidget(QWidget* parent = nullptr);
  void setView(std::shared_ptr<const TraceView> v);
  void setCursor(std::size_t cursor, Time now);
  void setSelectedArrow(int a);
  void setTheme(const Theme& t);
  void setTimeScale(TimeScale s);
  TimeScale timeScale() const { return scale_; }
  // Successful calls and timers on the ladder (LadderOptions::calls_and_timers).
  void setCallsAndTimers(bool on);
  bool callsAndTimers() const { return calls_and_timers_; }
  void zoom(double factor);
  // The widget width at which the layout's natural_width() fits the
  // viewport beside a vertical scroll bar (0 without a trace).
  int naturalWidth() const;
  int drawnArrows() const;
  int selectedArrow() const { return selected_; }
  QScrollArea* scrollArea() const { return scroll_; }
  // A shared time axis (LadderOptions::align); null: the ladder's own.
  void setTimeAlignment(std::shared_ptr<const std::map<Time, double>> align);
  // A marked event (the lab's first difference between two runs): a
  // vermillion band across the body at its row, drawn under everything, with
  // a bar at each edge (shape, not colour alone). -1: none.
  void setMarker(std::ptrdiff_t event);
  // Only events in [from, to) (LadderOptions::from/to): a bounded layout of
  // a huge trace (the lab's comparison). (0, kNever): the whole trace.
  void setTimeWindow(Time from, Time to);
  Time windowFrom() const { return from_; }
  Time windowTo() const { return to_; }
  // When on, a relayout while the widget is hidden in a shown window waits
  // until it is shown again (layout() is null meanwhile): the lab's
  // comparison covers the main timeline, which then costs nothing.
  void setLazyWhenHidden(bool on) { lazy_ = on; }
  std::ptrdiff_t marker() const { return marker_; }
  // The marked event's row in the body's coordinates (scroll area widget).
  QRectF markerRect() const;
  // The sticky header above the scrolled body: the host boxes and the cursor
  // chip stay in view however far the ladder is scrolled. The body (the
  // scroll area's widget) shows the layout from header_height() down, so
  // canvas y = layout y - header_height().
  QWidget* header() const;
  const LadderLayout* layout() const { return layout_.get(); }
  // A layout rectangle of the header band in this widget's coordinates.
  QRectF headerToWidget(const QRectF& layout_rect) const;
  void ensureCursorVisible();

 Q_SIGNALS:
  void arrowClicked(int arrow);
  // After every new layout (view, theme, scale, zoom, width, alignment).
  void laidOut();

 protected:
  bool eventFilter(QObject* o, QEvent* e) override;

 private:
  void relayout();
  double headerOffsetX() const;
  class Canvas;
  class Strip;
  Canvas* canvas_;
  Strip* header_;
  QScrollArea* scroll_;
  std::shared_ptr<const TraceView> view_;
  std::unique_ptr<LadderLayout> layout_;
  Theme theme_;
  double px_per_ms_ = 28;
  TimeScale scale_ = TimeScale::Compressed;
  bool calls_and_timers_ = true;
  std::size_t cursor_ = 0;
  Time now_ = 0;
  int selected_ = -1;
  std::ptrdiff_t marker_ = -1;
  std::shared_ptr<const std::map<Time, double>> align_;
  Time from_ = 0, to_ = kNever;
  bool lazy_ = false, stale_ = false;
  QPoint drag_start_;
  bool dragging_ = false;
  friend class Canvas;
  friend class Strip;
};

}  // namespace tcpsim::render
