// tcpsim — colours, fonts and line widths shared by every view and export.
//
// The palette is Okabe & Ito's (colour-blind safe), and no view uses colour
// as the only signal: the current state is also bold with a thick border and
// a marker, visited states carry their order number, drops end in a cross
// and say "dropped", retransmissions are dashed and say "retransmission".
#pragma once

#include <QColor>
#include <QFont>
#include <QString>

namespace tcpsim::render {

struct Theme {
  bool presentation = false;  // projector: large fonts, thick lines
  double scale = 1.0;         // font and line scale (presentation: 1.9)
  QString lang = "en";        // "en" or "zh_CN": labels in the diagram data

  // Okabe-Ito
  QColor black{0, 0, 0};
  QColor orange{0xE6, 0x9F, 0x00};
  QColor sky{0x56, 0xB4, 0xE9};
  QColor green{0x00, 0x9E, 0x73};
  QColor yellow{0xF0, 0xE4, 0x42};
  QColor blue{0x00, 0x72, 0xB2};
  QColor vermillion{0xD5, 0x5E, 0x00};
  QColor purple{0xCC, 0x79, 0xA7};
  QColor grey{0x88, 0x88, 0x88};
  QColor light{0xF4, 0xF4, 0xF4};
  QColor visited_fill{0xD7, 0xEB, 0xF8};   // light sky
  QColor current_fill{0xFF, 0xE0, 0x8A};   // light orange-yellow

  QFont font(double pt = 10, bool bold = false) const;
  double line(double w = 1.0) const { return w * (presentation ? 2.0 : 1.0) * scale_lines(); }
  double px(double v) const { return v * scale; }
  bool zh() const { return lang.startsWith("zh"); }

 private:
  double scale_lines() const { return 1.0; }
};

Theme default_theme();
Theme presentation_theme();

// A Chinese (CJK) character: U+2E80..U+9FFF.
bool is_cjk(QChar c);
// The font `text` is drawn with at `target_px` pixels on the target: bold
// Chinese under 16 px is drawn regular. The Chinese font (WenQuanYi Micro
// Hei) has no bold face; Qt thickens its strokes, which fill small
// characters into blots ("重传"). Colour still marks such a label.
QFont drawn_font(QFont f, const QString& text, double target_px);

}  // namespace tcpsim::render
