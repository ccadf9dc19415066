// The ladder of a three-host run (client, a router or NAT, server), as the
// GUI and `tcpsim export --ladder` draw it, tells where a segment was lost:
//  - a segment a host dropped when it arrived (a NAT that forgot the flow:
//    the trace's drop is at that host, after the send) reaches that host's
//    lifeline and ends in its ✕ there; one lost on the link (a fault rule:
//    the drop is at the sender, at the send) ends part way across;
//  - no text, no label and no other arrow is on a ✕, and no arrow runs
//    through a drop's reason (the NAT's RST at 61.045 s was drawn under
//    the reason, its label on the ✕);
//  - notes are whole, however long ("the NAT forgot the flow, idle 30.0 s"
//    was cut to "nf_conntrack_tcp_timeou…"), in English and Chinese, at the
//    widths from 520 to 1100 px in steps of 20 (the GUI gives the timeline
//    about 590 px at 1024x768 and 830 px at 1920x1080; an export is 1040).
// Runs in the tcpsim_ladder_tests binary (its QtEnv makes the QApplication).
#include <gtest/gtest.h>

#include <QApplication>
#include <QString>
#include <memory>
#include <string>

#include "i18n.hpp"
#include "ladder.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/simulation.hpp"
#include "theme.hpp"
#include "trace_view.hpp"

using namespace tcpsim;
using namespace tcpsim::render;

namespace {

std::shared_ptr<const TraceView> view_of_file(const std::string& path) {
  return std::make_shared<TraceView>(std::make_shared<const Trace>(run_scenario(load_scenario_file(path))));
}

std::string str(const QRectF& r) {
  return "(" + std::to_string(r.left()) + "," + std::to_string(r.top()) + " " + std::to_string(r.width()) + "x" +
         std::to_string(r.height()) + ")";
}

bool line_touches(const QLineF& l, const QRectF& r) {
  if (r.contains(l.p1()) || r.contains(l.p2())) return true;
  const QPointF c[4] = {r.topLeft(), r.topRight(), r.bottomRight(), r.bottomLeft()};
  for (int i = 0; i < 4; ++i)
    if (l.intersects(QLineF(c[i], c[(i + 1) % 4]), nullptr) == QLineF::BoundedIntersection) return true;
  return false;
}

// Letters of a text, without the spaces and hyphens wrapping adds.
QString letters(QString s) {
  s.remove(QChar(' ')).remove(QChar(0xA0)).remove(QChar('-')).remove(QChar('\n'));
  return s;
}

struct Case {
  const char* file;  // relative to the source tree
  bool has_host_drop;
};

const Case kCases[] = {
    {"scenarios/nat-idle-timeout.yaml", true},
    {"scenarios/nat-idle-timeout-keepalive.yaml", false},
    {"tests/kernel/facts/router-forwards-link-by-link.yaml", false},
    {"scenarios/lost-final-ack.yaml", false},
};

}  // namespace

TEST(LadderDrops, DroppedByAHostEndsAtItsLifelineAndNothingCoversCrossesReasonsOrNotes) {
  // The binary's QtEnv makes the application; alone, this file makes its own.
  static int argc = 1;
  static char name[] = "tcpsim_ladder_tests";
  static char* argv[] = {name, nullptr};
  std::unique_ptr<QApplication> own;
  if (!QCoreApplication::instance()) own = std::make_unique<QApplication>(argc, argv);
  for (const char* lang : {"en", "zh_CN"}) {
    ASSERT_TRUE(install_language(lang)) << lang;
    for (const Case& c : kCases) {
      auto v = view_of_file(std::string(TCPSIM_SOURCE_DIR) + "/" + c.file);
      const auto& ev = v->trace().events;
      const auto& arrows = v->arrows();
      for (TimeScale scale : {TimeScale::Compressed, TimeScale::Textbook})
        for (double width = 520.0; width <= 1100.0; width += 20.0) {
          SCOPED_TRACE(std::string(c.file) + " " + lang + " width " + std::to_string(width) + " " +
                       time_scale_name(scale).toStdString());
          LadderOptions lo;
          lo.width = width;
          lo.scale = scale;
          LadderLayout lay(*v, default_theme(), lo);
          int host_drops = 0;
          std::vector<std::pair<int, QRectF>> crosses;
          for (std::size_t k = 0; k < arrows.size(); ++k) {
            const SegArrow& a = arrows[k];
            const QLineF l = lay.arrow_geometry(static_cast<int>(k));
            if (a.drop < 0 || l.isNull()) continue;
            // The ✕ as paint() draws it: strokes of half-width 7 + 1.6 px
            // (the default theme's line) around the arrow's end.
            const double half = 7 + 1.6 + 1;
            const QRectF x(l.x2() - half, l.y2() - half, 2 * half, 2 * half);
            crosses.push_back({static_cast<int>(k), x});
            const Event& d = ev[a.drop];
            const Event& s = ev[a.send];
            const double to_x = lay.lifeline_x(a.to_host);
            if (d.host == a.to_host && d.t > s.t) {
              ++host_drops;
              EXPECT_NEAR(l.x2(), to_x, 0.5) << "segment " << k << " dropped at host " << d.host
                                              << " ends off its lifeline";
            } else {
              // Lost on the link: part way across, clear of the lifeline.
              EXPECT_GT(std::abs(l.x2() - to_x), 20) << "segment " << k << " lost on the link ends at a host";
              EXPECT_GT(std::abs(l.x2() - l.x1()), 20) << k;
            }
          }
          if (c.has_host_drop) EXPECT_GT(host_drops, 0) << "no segment dropped by a host";
          for (const auto& t : lay.texts()) {
            if (t.role == LadderText::Legend) continue;
            for (const auto& [k, x] : crosses)
              EXPECT_FALSE(t.box.intersects(x.adjusted(0.5, 0.5, -0.5, -0.5)))
                  << "text \"" << t.full.toStdString() << "\" " << str(t.box) << " on the cross of segment " << k
                  << " " << str(x);
            if (t.role == LadderText::Annotation || t.role == LadderText::DropReason) {
              EXPECT_FALSE(t.elided) << "shortened: " << t.full.toStdString();
              EXPECT_EQ(letters(t.lines.join("")), letters(t.full)) << "not whole: " << t.lines.join("|").toStdString();
            }
          }
          for (std::size_t k = 0; k < arrows.size(); ++k) {
            const QLineF l = lay.arrow_geometry(static_cast<int>(k));
            if (l.isNull()) continue;
            for (const auto& [j, x] : crosses)
              if (j != static_cast<int>(k))
                EXPECT_FALSE(line_touches(l, x.adjusted(1, 1, -1, -1)))
                    << "segment " << k << " runs over the cross of segment " << j;
            for (const auto& t : lay.texts())
              if (t.role == LadderText::DropReason)
                EXPECT_FALSE(line_touches(l, t.box.adjusted(1, 1, -1, -1)))
                    << "segment " << k << " runs under the drop reason \"" << t.full.toStdString() << "\" "
                    << str(t.box);
          }
        }
    }
  }
  install_language("en");
}
