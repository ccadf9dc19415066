// tcpsim — the packet timeline (ladder diagram): a lifeline per host, time
// going down, each segment an arrow from its send time to its arrival time
// labelled with flags and relative seq/ack/len; drops end in a cross,
// retransmissions are dashed; state changes, calls, timers and signals are
// annotated on the lifelines. Long idle periods are compressed with a visible
// break, so a 60 s TIME_WAIT fits next to 1 ms round trips.
//
// Layout is computed once for the whole trace (or a time window), so moving
// the cursor never moves anything: events after the cursor are simply not
// drawn yet.
#pragma once

#include <QRectF>
#include <QSizeF>
#include <QString>
#include <QStringList>
#include <QWidget>
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
};

class LadderLayout {
 public:
  LadderLayout(const TraceView& v, const Theme& th, LadderOptions o);

  QSizeF size() const { return size_; }
  double y_of(Time t) const;
  double lifeline_x(int host) const;
  // Paint events [0, cursor) with the cursor line at `now` (cursor == size():
  // the whole trace, no cursor line when show_cursor is false).
  void paint(QPainter& p, std::size_t cursor, Time now, int selected_arrow,
             bool show_cursor) const;
  // Arrow under a point (drawn ones only), -1 if none.
  int arrow_at(QPointF pt, std::size_t cursor, Time now) const;
  // Arrows drawn at this cursor (sent before it, inside the window).
  int drawn_arrows(std::size_t cursor) const;

 private:
  struct Annot {
    std::size_t index;
    int host;
    QString text;
    int kind;  // 0 state, 1 call, 2 timer, 3 other
  };
  struct Row {
    Time t;
    double y;
    int lines = 0;
    bool break_before = false;
    Time gap = 0;
  };
  int row_of(Time t) const;
  QLineF arrow_line(const SegArrow& a, std::size_t cursor, Time now, bool* partial) const;

  const TraceView& v_;
  Theme th_;
  LadderOptions o_;
  std::size_t first_ = 0, last_ = 0;  // event index window [first_, last_)
  std::vector<Row> rows_;
  std::vector<Annot> annots_;
  std::vector<double> host_x_;
  QSizeF size_;
  double header_h_ = 0, title_h_ = 0, line_h_ = 0, legend_h_ = 0;
  double break_h_ = 0;
  double time_col_ = 64;  // width of the time labels column
  double max_span_ = 0;   // the tallest arrow (send to delivery), for culling
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
  void zoom(double factor);
  int drawnArrows() const;
  int selectedArrow() const { return selected_; }
  QScrollArea* scrollArea() const { return scroll_; }
  void ensureCursorVisible();

 Q_SIGNALS:
  void arrowClicked(int arrow);

 protected:
  bool eventFilter(QObject* o, QEvent* e) override;

 private:
  void relayout();
  class Canvas;
  Canvas* canvas_;
  QScrollArea* scroll_;
  std::shared_ptr<const TraceView> view_;
  std::unique_ptr<LadderLayout> layout_;
  Theme theme_;
  double px_per_ms_ = 28;
  TimeScale scale_ = TimeScale::Compressed;
  std::size_t cursor_ = 0;
  Time now_ = 0;
  int selected_ = -1;
  QPoint drag_start_;
  bool dragging_ = false;
  friend class Canvas;
};

}  // namespace tcpsim::render
