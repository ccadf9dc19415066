// tcpsim — the event log: a table model over the immutable trace. Rows after
// the cursor are shown faded; the view's selection follows the cursor and
// selecting a row moves the cursor (MainWindow wires both directions).
#pragma once

#include <QAbstractTableModel>
#include <memory>

#include "trace_view.hpp"

namespace tcpsim::gui {

class EventLogModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { Index, Time, Host, Kind, What, NumColumns };
  explicit EventLogModel(QObject* parent = nullptr) : QAbstractTableModel(parent) {}
  void setView(std::shared_ptr<const render::TraceView> v);
  void setCursor(std::size_t cursor);
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation o, int role) const override;

 private:
  std::shared_ptr<const render::TraceView> view_;
  std::size_t cursor_ = 0;
};

}  // namespace tcpsim::gui
