// tcpsim — the inspector: the TCB of each endpoint of the selected
// connection at the cursor (from the trace's snapshots), armed timers with
// time left, which processes hold descriptors on it, and the header fields of
// the selected segment.
#pragma once

#include <QTreeWidget>
#include <memory>

#include "trace_view.hpp"

namespace tcpsim::gui {

class Inspector : public QTreeWidget {
  Q_OBJECT
 public:
  explicit Inspector(QWidget* parent = nullptr);
  void show(const render::TraceView* v, const std::vector<std::uint32_t>& socks, std::size_t cursor,
            Time now, int arrow);
  // The value shown for a field ("SND.NXT") in a group (socket label, or "segment").
  QString value(const QString& group, const QString& field) const;

 private:
  void retranslate();
};

}  // namespace tcpsim::gui
