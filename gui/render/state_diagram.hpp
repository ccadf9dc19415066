// tcpsim — the state diagram of one endpoint, in the layout of RFC 793
// Figure 6 / RFC 9293 §3.3.2. Box positions and arrow routes come from
// assets/diagram/rfc793.json (compiled in as a Qt resource); this file only
// draws. The path the socket took is tinted and numbered, the current state
// is highlighted (fill, thick border, bold, a marker), the latest transition
// is lit with a marker travelling along it, and armed timers count down
// under the current state.
#pragma once

#include <QPointF>
#include <QRectF>
#include <QSizeF>
#include <QString>
#include <QVector>
#include <QWidget>
#include <optional>
#include <vector>

#include "theme.hpp"
#include "trace_view.hpp"

class QPainter;

namespace tcpsim::render {

struct DiagramBox {
  QString id;
  TcpState state = TcpState::Closed;
  QPointF c;
};
struct DiagramArrow {
  QString from, to;  // box ids
  TcpState from_state = TcpState::Closed, to_state = TcpState::Closed;
  QString event, action, event_zh, action_zh;
  QVector<QPointF> pts;
  QPointF label;
  bool dynamic = false;  // not in the data file: drawn straight, labelled with the cause
};

class DiagramLayout {
 public:
  // The standard layout from the resource :/tcpsim/diagram/rfc793.json.
  static const DiagramLayout& standard();
  bool load_json(const QByteArray& json, QString* error);

  QSizeF canvas{1000, 1000};
  QSizeF box{160, 56};
  std::vector<DiagramBox> boxes;
  std::vector<DiagramArrow> arrows;

  int box_index(const QString& id) const;
  int nearest_box(TcpState s, QPointF from) const;
  int first_box(TcpState s) const;
  QRectF box_rect(int i) const;
};

// What one diagram shows at a cursor: computed from the trace only.
struct DiagramState {
  QString title;                       // "client/sock  10.0.0.1:49152"
  std::vector<Transition> path;        // transitions so far
  std::optional<TcpState> current;     // nullopt: the socket has no state yet
  QStringList timers;                  // "TIME_WAIT 41.3 s"
  bool orphan = false;
  double progress = 1.0;               // animation of the latest transition, 0..1
};
DiagramState diagram_state(const TraceView& v, std::uint32_t sock, std::size_t cursor, Time now);

// The boxes and arrows a path goes through, resolved against a layout.
struct ResolvedPath {
  std::vector<int> boxes;              // box index per step (path.size() + 1 when non-empty)
  std::vector<DiagramArrow> arrows;    // arrow per transition (dynamic ones included)
  int current_box = -1;
};
ResolvedPath resolve_path(const DiagramLayout& l, const DiagramState& s);

void paint_state_diagram(QPainter& p, const QRectF& target, const DiagramLayout& l,
                         const DiagramState& s, const Theme& th);

// A widget showing one diagram; the app feeds it the state at the cursor.
class StateDiagramWidget : public QWidget {
  Q_OBJECT
 public:
  explicit StateDiagramWidget(QWidget* parent = nullptr);
  void setState(const DiagramState& s);
  void setProgress(double p);
  void setTheme(const Theme& t);
  const DiagramState& diagramState() const { return state_; }
  // The highlighted state's name ("FIN_WAIT_2"), empty when none.
  QString highlightedState() const;
  QSize sizeHint() const override { return {420, 460}; }
  QSize minimumSizeHint() const override { return {200, 220}; }

 protected:
  void paintEvent(QPaintEvent*) override;

 private:
  DiagramState state_;
  Theme theme_;
};

}  // namespace tcpsim::render
