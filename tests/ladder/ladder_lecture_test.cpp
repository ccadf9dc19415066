// Issue #12, the GUI ladder a lecturer projects:
//  - the host headers stay in view (a sticky header) however far the ladder
//    is scrolled, at 24 px and more in lecture mode, over their lifelines;
//  - the cursor's time chip covers no text: it sits in the header band,
//    clear of every text box the layout placed;
//  - in lecture mode no state name or call is shrunk below 24 px (long
//    ones wrap) and a failed call's errno stays whole;
//  - "Show calls and timers" off leaves successful calls and timers out,
//    failed calls in.
// Runs in the tcpsim_ladder_tests binary (its QtEnv makes the QApplication).
#include <gtest/gtest.h>
#include <dirent.h>

#include <QApplication>
#include <QImage>
#include <QScrollArea>
#include <QScrollBar>
#include <algorithm>
#include <memory>

#include "catalogue.hpp"
#include "ladder.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/simulation.hpp"
#include "theme.hpp"
#include "trace_view.hpp"

using namespace tcpsim;
using namespace tcpsim::render;

namespace {

std::shared_ptr<const TraceView> view_of(const std::string& name) {
  return std::make_shared<TraceView>(tcpsim::testing::catalogue_trace(name));
}

std::string str(const QRectF& r) {
  return "(" + std::to_string(r.left()) + "," + std::to_string(r.top()) + " " + std::to_string(r.width()) + "x" +
         std::to_string(r.height()) + ")";
}

// Dark pixels (text, lines) inside r of the image.
int ink(const QImage& img, const QRect& r) {
  int n = 0;
  const QRect c = r & img.rect();
  for (int y = c.top(); y <= c.bottom(); ++y)
    for (int x = c.left(); x <= c.right(); ++x)
      if (qGray(img.pixel(x, y)) < 100) ++n;
  return n;
}

struct Shown {
  LadderWidget w;
  Shown(const std::string& scn, QSize size, const Theme& th) {
    w.setTheme(th);
    w.resize(size);
    w.setAttribute(Qt::WA_DontShowOnScreen);
    w.show();
    QApplication::processEvents();
    w.setView(view_of(scn));
    QApplication::processEvents();
  }
};

std::vector<const LadderText*> headers(const LadderLayout& lay) {
  std::vector<const LadderText*> v;
  for (const auto& t : lay.texts())
    if (t.role == LadderText::Header) v.push_back(&t);
  return v;
}

// Scrolled to its end, the ladder still shows which lifeline is which: each
// host's name box is inside the widget, above the scrolled body, over its
// lifeline, drawn (ink inside), at 24 px and more in lecture mode.
TEST(LadderLecture, HostHeadersStayInViewWhenScrolled) {
  for (bool lecture : {true, false}) {
    SCOPED_TRACE(lecture ? "lecture" : "default theme");
    Shown s("lost-final-ack", QSize(1000, 620), lecture ? presentation_theme() : default_theme());
    auto v = view_of("lost-final-ack");
    s.w.setCursor(v->size(), v->end_time());
    QApplication::processEvents();
    QScrollBar* sb = s.w.scrollArea()->verticalScrollBar();
    ASSERT_GT(sb->maximum(), 200) << "the ladder must be taller than its viewport for this test";
    sb->setValue(sb->maximum());
    QApplication::processEvents();
    const LadderLayout* lay = s.w.layout();
    ASSERT_NE(lay, nullptr);
    // The canvas's own header band is scrolled far out of the viewport...
    const int body_top = s.w.scrollArea()->mapTo(&s.w, QPoint(0, 0)).y();
    EXPECT_GT(sb->value() + 0.0, lay->header_height());
    // ...and the host boxes are still on screen, above the body.
    const QImage img = s.w.grab().toImage();
    const auto hs = headers(*lay);
    ASSERT_EQ(hs.size(), 2u);
    for (std::size_t h = 0; h < hs.size(); ++h) {
      const QRectF r = s.w.headerToWidget(hs[h]->box);
      SCOPED_TRACE("host " + hs[h]->lines.value(0).toStdString() + " at " + str(r));
      EXPECT_TRUE(QRectF(s.w.rect()).contains(r));
      EXPECT_LE(r.bottom(), body_top + 0.5) << "under the scrolled body";
      EXPECT_TRUE(s.w.header()->isVisible());
      EXPECT_NEAR(r.center().x(), lay->lifeline_x(static_cast<int>(h)) - s.w.scrollArea()->horizontalScrollBar()->value(),
                  1.0);
      EXPECT_GT(ink(img, r.adjusted(4, 4, -4, -4).toRect()), 40) << "no text drawn in the header box";
      if (lecture) {
        EXPECT_GE(hs[h]->font_px, 24);
      }
    }
  }
}

// Narrower than the ladder's minimum width, the body scrolls sideways: the
// sticky header follows it, each box over its lifeline.
TEST(LadderLecture, StickyHeaderFollowsHorizontalScroll) {
  Shown s("three-way-handshake", QSize(360, 500), presentation_theme());
  QScrollBar* hb = s.w.scrollArea()->horizontalScrollBar();
  ASSERT_GT(hb->maximum(), 0);
  hb->setValue(hb->maximum());
  QApplication::processEvents();
  const LadderLayout* lay = s.w.layout();
  const auto hs = headers(*lay);
  ASSERT_EQ(hs.size(), 2u);
  const int body_left = s.w.scrollArea()->viewport()->mapTo(&s.w, QPoint(0, 0)).x();
  for (std::size_t h = 0; h < hs.size(); ++h) {
    const QRectF r = s.w.headerToWidget(hs[h]->box);
    EXPECT_NEAR(r.center().x(), body_left + lay->lifeline_x(static_cast<int>(h)) - hb->value(), 1.0) << h;
  }
}

// The chip ("▶ 3.000 s") covers no text: not a state tag, not an axis
// label, not a header; it lies in the header band (always in view in the
// GUI) and on the canvas. Every catalogue scenario, both themes, the widths
// of the GUI's ladder from its minimum to a full-HD window, every scale.
TEST(LadderLecture, CursorChipCoversNoText) {
  for (const auto& name : tcpsim::testing::catalogue_names()) {
    auto v = view_of(name);
    if (v->size() > 20000) continue;  // the pile-ups: layout cost, nothing different in the header
    for (bool lecture : {true, false})
      for (double width : {480.0, 800.0, 1000.0, 1900.0})
        for (TimeScale sc : {TimeScale::Compressed, TimeScale::Textbook}) {
          LadderOptions o;
          o.width = width;
          o.scale = sc;
          LadderLayout lay(*v, lecture ? presentation_theme() : default_theme(), o);
          for (Time now : {Time(0), v->end_time() / 2, v->end_time()}) {
            const QRectF chip = lay.cursor_chip_rect(now);
            SCOPED_TRACE(name + (lecture ? " lecture " : " ") + std::to_string(int(width)) + " chip " + str(chip));
            EXPECT_GE(chip.left(), 0);
            EXPECT_LE(chip.right(), lay.size().width());
            EXPECT_GE(chip.top(), 0);
            EXPECT_LE(chip.bottom(), lay.header_height());
            for (const auto& t : lay.texts())
              EXPECT_FALSE(chip.intersects(t.box)) << "covers '" << t.full.toStdString() << "' " << str(t.box);
            // Wide enough for its own text.
            QFontMetricsF bfm((lecture ? presentation_theme() : default_theme()).font(9.5, true));
            const QString label = now < sec(1) ? QString::number(now / 1000.0, 'f', 3) + " ms"
                                               : QString::number(now / 1e6, 'f', 3) + " s";
            EXPECT_GE(chip.width() + 0.5, bfm.horizontalAdvance("▶ " + label));
          }
        }
  }
}

// The case seen: lost-final-ack at 3 s, lecture mode, 1024x768 (the
// timeline alone): the chip covered the server's CLOSED tag. In the widget
// it is now in the sticky header, where the scrolled body never reaches.
TEST(LadderLecture, LostFinalAckChipAt3sIsInTheHeader) {
  auto v = view_of("lost-final-ack");
  Shown s("lost-final-ack", QSize(1020, 640), presentation_theme());
  const std::size_t c = v->cursor_for_time(sec(3));
  s.w.setCursor(c, sec(3));
  QApplication::processEvents();
  const LadderLayout* lay = s.w.layout();
  const QRectF chip = s.w.headerToWidget(lay->cursor_chip_rect(sec(3)));
  const QRect strip = s.w.header()->geometry();
  EXPECT_TRUE(QRectF(strip).contains(chip)) << str(chip);
  for (const auto& t : lay->texts()) {
    EXPECT_FALSE(lay->cursor_chip_rect(sec(3)).intersects(t.box)) << t.full.toStdString();
    if (t.full == "CLOSED") {
      EXPECT_GT(t.box.top(), lay->header_height());
    }
  }
  // Vermillion chip pixels are there.
  const QImage img = s.w.grab().toImage();
  int orange = 0;
  for (int y = int(chip.top()) + 2; y < int(chip.bottom()) - 2; ++y)
    for (int x = int(chip.left()) + 2; x < int(chip.right()) - 2; ++x)
      if (QColor(img.pixel(x, y)) == QColor(0xD5, 0x5E, 0x00)) ++orange;
  EXPECT_GT(orange, 100);
}

// Lecture mode never shrinks a state's name or a call below 24 px: long
// ones wrap, and a failed call's errno is whole on one line. Every catalogue
// scenario, at the widths the GUI gives its ladder in lecture mode by default
// (three panes at 1920x1080: about 780 px; the timeline alone at 1024 and
// 1280 px). (Narrower, two state columns of 24 px text and the arrows
// between them do not fit: a state name there still gets a smaller font.)
TEST(LadderLecture, LectureTextIsNeverShrunkAndErrnoStaysWhole) {
  for (const auto& name : tcpsim::testing::catalogue_names()) {
    auto v = view_of(name);
    if (v->size() > 20000) continue;
    for (double width : {760.0, 780.0, 1000.0, 1260.0}) {
      LadderOptions o;
      o.width = width;
      LadderLayout lay(*v, presentation_theme(), o);
      for (const auto& t : lay.texts()) {
        SCOPED_TRACE(name + " at " + std::to_string(int(width)) + ": " + t.lines.join(" | ").toStdString());
        if (t.role == LadderText::Annotation || t.role == LadderText::SegmentLabel || t.role == LadderText::TimeLabel ||
            t.role == LadderText::Header) {
          EXPECT_GE(t.font_px, 24);
        }
        EXPECT_GE(t.box.left(), 0);
        EXPECT_LE(t.box.right(), lay.size().width());
        if (t.event < 0) continue;
        const Event& e = v->trace().events[t.event];
        if (t.role == LadderText::Annotation && e.kind == EventKind::Call && e.err != 0) {
          const QString err = QString(errno_name(e.err));
          bool whole = false;
          for (const auto& l : t.lines) whole = whole || QString(l).replace(QChar(0xA0), ' ').split(' ').contains(err);
          EXPECT_TRUE(whole) << "errno " << err.toStdString() << " not whole on a line";
        }
      }
    }
  }
}

// View > Show calls and timers off (export --no-calls): no successful call,
// no timer; failed calls, states and every arrow stay.
TEST(LadderLecture, CallsAndTimersCanBeLeftOut) {
  auto v = view_of("rst-on-unread-data");
  LadderOptions with, without;
  without.calls_and_timers = false;
  LadderLayout a(*v, default_theme(), with), b(*v, default_theme(), without);
  auto count = [&](const LadderLayout& l, auto pred) {
    int n = 0;
    for (const auto& t : l.texts())
      if (t.role == LadderText::Annotation && t.event >= 0 && pred(v->trace().events[t.event])) ++n;
    return n;
  };
  auto ok_call = [](const Event& e) { return e.kind == EventKind::Call && e.err == 0; };
  auto failed = [](const Event& e) { return e.kind == EventKind::Call && e.err != 0; };
  auto timer = [](const Event& e) { return e.kind == EventKind::Timer; };
  auto state = [](const Event& e) { return e.kind == EventKind::State; };
  EXPECT_GT(count(a, ok_call), 0);
  EXPECT_EQ(count(b, ok_call), 0);
  EXPECT_EQ(count(b, timer), 0);
  EXPECT_EQ(count(b, failed), count(a, failed));
  EXPECT_GT(count(b, failed), 0);
  EXPECT_EQ(count(b, state), count(a, state));
  for (std::size_t k = 0; k < v->arrows().size(); ++k) EXPECT_FALSE(b.arrow_geometry(static_cast<int>(k)).isNull()) << k;

  // The widget's switch relays out.
  Shown s("rst-on-unread-data", QSize(900, 600), default_theme());
  s.w.setCursor(v->size(), v->end_time());
  const auto before = s.w.layout()->texts().size();
  s.w.setCallsAndTimers(false);
  EXPECT_FALSE(s.w.callsAndTimers());
  EXPECT_LT(s.w.layout()->texts().size(), before);
}

}  // namespace
