// tcpsim — the state diagram of one endpoint, in the layout of RFC 793
// Figure 6 / RFC 9293 §3.3.2. Box positions and arrow routes come from
// assets/diagram/rfc793.json (compiled in as a Qt resource); this file only
// lays out and draws. The path the socket took is tinted and numbered, the
// current state is highlighted (saturated fill, thick border, the largest
// text, a marker), the latest transition is lit, events that change no state
// (retransmissions, TIME_WAIT's answer to a retransmitted FIN) are self-loops
// with counts, and armed timers count down beside the current state.
//
// Every arrow stands for one event of the transition table (FsmRow::event):
// a transition lights the arrow whose event its traced cause names
// (fsm_event_of_cause), never a neighbour between the same two states. An
// ABORT that sent no RST (timer give-up, host crash, discard) is drawn
// dashed, never on an RST arrow; RST arrows are thick and carry a bar mark.
//
// Layout and drawing are split: layout_state_diagram() places every text
// (no two overlap, none leaves the canvas) and reports the boxes, which the
// painter draws and tests check.
#pragma once

#include <QPointF>
#include <QPolygonF>
#include <QRectF>
#include <QSizeF>
#include <QString>
#include <QStringList>
#include <QVector>
#include <QWidget>
#include <optional>
#include <string>
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
  // The transition-table event this arrow stands for (fsm_event_name:
  // "rcv RST", "close()"); empty: any event between its two states.
  QString fsm;
  QVector<QPointF> pts;
  QPointF label;
  bool dynamic = false;  // not in the data file: routed around the boxes, labelled with the cause
  bool rst = false;      // an RST is received or sent on this arrow: thick, marked
  bool quiet_abort = false;  // a give-up / crash / discard: no segment, dashed
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

// An event that changed no state but matters to the lesson, drawn as a
// self-loop on the state it happened in: "retransmit FIN ×2".
struct DiagramLoop {
  TcpState state = TcpState::Closed;
  QString what, what_zh;   // "retransmit FIN", "rcv FIN / snd ACK, restart 2MSL"
  int count = 0;
  bool latest = false;     // the most recent event of the socket among all loops
};

// What one diagram shows at a cursor: computed from the trace only.
struct DiagramState {
  QString title;                       // "client/sock  10.0.0.1:49152"
  std::vector<Transition> path;        // transitions so far
  std::optional<TcpState> current;     // nullopt: the socket has no state yet
  QStringList timers;                  // "TIME_WAIT 41.3 s"
  std::vector<DiagramLoop> loops;      // self-loops so far, by state
  bool orphan = false;
  double progress = 1.0;               // animation of the latest transition, 0..1
};
DiagramState diagram_state(const TraceView& v, std::uint32_t sock, std::size_t cursor, Time now);

// The boxes and arrows a path goes through, resolved against a layout.
struct ResolvedPath {
  std::vector<int> boxes;              // box index per step (path.size() + 1 when non-empty)
  std::vector<DiagramArrow> arrows;    // arrow per transition (dynamic ones included)
  std::vector<std::string> events;     // transition-table event per transition ("give up")
  int current_box = -1;
};
ResolvedPath resolve_path(const DiagramLayout& l, const DiagramState& s);

// One text the diagram draws, in the painter's coordinates of `target`.
struct DiagramText {
  // CutState: the name of a box the zoomed frame cuts, shortened ("ESTABLI…").
  enum Role { Title, State, CurrentState, ArrowLabel, PathLabel, LatestLabel, Loop, Timer, Badge, CutState };
  Role role = ArrowLabel;
  QRectF box;
  QString text;
  double px = 0;  // font size in target pixels
};

// How the figure fits its target. The whole figure (exports, wide panes),
// or, with `focus`, when the whole figure would draw its labels under
// `min_px`: zoomed until they are `want_px` and framed on the current
// state, the latest transition's arrow, its label and its source state (the
// GUI's narrow panes at 1024x768). When those do not fit at min_px, the
// figure is drawn with its columns of boxes closer together (the same
// boxes, arrows and rows) until they do; failing that, until the labels
// are floor_px; failing that the zoom falls back (down to the whole figure;
// DiagramGeometry::reduced) so that the boxes the picture needs are always
// whole with their names. A zoomed figure draws only the texts that are
// whole in view; a box cut by the edge has its name shortened into the
// part in view ("ESTABLI…"), or none where three characters do not fit.
// Lecture mode never zooms: it has its own sizes.
struct DiagramFit {
  bool focus = false;
  double min_px = 12;
  double want_px = 13;
  double floor_px = 10;
};

// Where everything goes, for a target rectangle (device-independent pixels).
struct DiagramGeometry {
  QRectF target;
  double scale = 1;                    // canvas unit -> target pixel
  QPointF origin;                      // canvas (0,0) in target coordinates
  std::vector<DiagramText> texts;      // every text drawn
  int hidden_labels = 0;               // labels of arrows not taken, left out for lack of room
  // The lines of the arrows not taken (target coordinates): the labels keep
  // off them where they can (a label on a grey arrow reads as its name).
  std::vector<QPolygonF> other_lines;
  // The highlighted (latest) transition: the event its arrow stands for,
  // the label drawn on it, and whether it is drawn as an RST arrow.
  std::string highlighted_event;
  QString highlighted_label;
  TcpState highlighted_from = TcpState::Closed, highlighted_to = TcpState::Closed;
  bool highlighted_rst = false;
  bool highlighted_dashed = false;
  // DiagramFit::focus: the figure is zoomed, and `view` is the part of the
  // canvas in sight (canvas units).
  bool zoomed = false;
  QRectF view;
  // Zoomed less than DiagramFit::min_px asks, so that every box the
  // picture needs is whole (a narrow pane and a long latest arrow).
  bool reduced = false;
  // Zoomed on the figure with its columns closer together (DiagramFit):
  // 1 is the figure as drawn.
  double squeeze = 1;
  // Every box in sight (target coordinates), whether its name is drawn
  // (never for a box cut by the zoomed frame), and which boxes the picture
  // needs: the current state and the latest arrow's two ends.
  struct Box {
    TcpState state = TcpState::Closed;
    QRectF r;
    bool named = false;
    bool needed = false;
    double name_px = 0;
  };
  std::vector<Box> boxes;
};
DiagramGeometry layout_state_diagram(const QRectF& target, const DiagramLayout& l,
                                     const DiagramState& s, const Theme& th, const DiagramFit& fit = {});

DiagramGeometry paint_state_diagram(QPainter& p, const QRectF& target, const DiagramLayout& l,
                                    const DiagramState& s, const Theme& th, const DiagramFit& fit = {});

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
  // The geometry of the last paint (labels, highlighted arrow).
  const DiagramGeometry& geometry() const { return geom_; }
  // Zoom on the current state when the whole figure would be too small to
  // read (DiagramFit::focus; on by default). Double-click toggles it.
  void setFocusZoom(bool on);
  bool focusZoom() const { return fit_.focus; }
  QSize sizeHint() const override { return {420, 460}; }
  QSize minimumSizeHint() const override { return {200, 220}; }

 protected:
  void paintEvent(QPaintEvent*) override;
  void mouseDoubleClickEvent(QMouseEvent* e) override;

 private:
  DiagramState state_;
  Theme theme_;
  DiagramFit fit_{true};
  DiagramGeometry geom_;
};

}  // namespace tcpsim::render
