#include "event_log_model.hpp"

#include <QBrush>
#include <QColor>
#include <QFont>

namespace tcpsim::gui {

namespace {
// The Kind column's words (core's event_kind_name), for lupdate.
[[maybe_unused]] const char* const kKinds[] = {
    QT_TRANSLATE_NOOP("tcpsim::gui::EventLogModel", "segment"), QT_TRANSLATE_NOOP("tcpsim::gui::EventLogModel", "state"),
    QT_TRANSLATE_NOOP("tcpsim::gui::EventLogModel", "timer"),   QT_TRANSLATE_NOOP("tcpsim::gui::EventLogModel", "call"),
    QT_TRANSLATE_NOOP("tcpsim::gui::EventLogModel", "signal"),  QT_TRANSLATE_NOOP("tcpsim::gui::EventLogModel", "process"),
    QT_TRANSLATE_NOOP("tcpsim::gui::EventLogModel", "fault"),   QT_TRANSLATE_NOOP("tcpsim::gui::EventLogModel", "note"),
};
}  // namespace

void EventLogModel::setView(std::shared_ptr<const render::TraceView> v) {
  beginResetModel();
  view_ = std::move(v);
  cursor_ = 0;
  endResetModel();
}

void EventLogModel::setCursor(std::size_t cursor) {
  std::size_t a = std::min(cursor, cursor_), b = std::max(cursor, cursor_);
  cursor_ = cursor;
  if (view_ && b > a && rowCount() > 0)
    Q_EMIT dataChanged(index(static_cast<int>(a), 0),
                     index(static_cast<int>(std::min<std::size_t>(b, rowCount() - 1)), NumColumns - 1),
                     {Qt::ForegroundRole});
}

int EventLogModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || !view_ ? 0 : static_cast<int>(view_->size());
}
int EventLogModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : NumColumns; }

QVariant EventLogModel::data(const QModelIndex& index, int role) const {
  if (!view_ || !index.isValid()) return {};
  const Event& e = view_->event(static_cast<std::size_t>(index.row()));
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case Index: return index.row();
      case Time: return QString::fromStdString(format_time(e.t));
      case Host: return QString::fromStdString(view_->host_name(e.host));
      case Kind: return tr(render::event_kind_label(e.kind).c_str());
      case What: return QString::fromStdString(render::describe_event(*view_, e));
    }
  }
  if (role == Qt::ToolTipRole && index.column() == What) {
    // The full line, for a row wider than the column.
    return QString::fromStdString(render::describe_event(*view_, e));
  }
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
    }
  }
  if (role == Qt::ForegroundRole) {
    if (static_cast<std::size_t>(index.row()) >= cursor_) return QBrush(QColor(0x99, 0x99, 0x99));
    if (e.kind == EventKind::State) return QBrush(QColor(0x00, 0x50, 0x80));
    if (e.err != 0 || (e.kind == EventKind::Segment && e.seg_op == SegOp::Drop) ||
        (e.kind == EventKind::Segment && (e.seg.flags & kRst)))
      return QBrush(QColor(0xA0, 0x3A, 0x00));
  }
  if (role == Qt::FontRole && e.kind == EventKind::State) {
    QFont f;
    f.setBold(true);
    return f;
  }
  if (role == Qt::TextAlignmentRole && (index.column() == Index || index.column() == Time))
    return int(Qt::AlignRight | Qt::AlignVCenter);
  return {};
}

QVariant EventLogModel::headerData(int section, Qt::Orientation o, int role) const {
  if (o != Qt::Horizontal || role != Qt::DisplayRole) return QAbstractTableModel::headerData(section, o, role);
  switch (section) {
    case Index: return tr("#");
    case Time: return tr("Time (s)");
    case Host: return tr("Host");
    case Kind: return tr("Kind");
    case What: return tr("Event");
  }
  return {};
}

}  // namespace tcpsim::gui
