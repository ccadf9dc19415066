#include "theme.hpp"

#include <algorithm>

namespace tcpsim::render {

QFont Theme::font(double pt, bool bold) const {
  // DejaVu Sans for Latin, WenQuanYi Micro Hei for CJK (both Debian packages
  // installed by scripts/install-deps.sh); Qt falls back per glyph.
  QFont f;
  f.setFamilies({"DejaVu Sans", "WenQuanYi Micro Hei", "Sans Serif"});
  // Pixel sizes (pt at 96 dpi): the same layout on screen, PNG, SVG and PDF.
  f.setPixelSize(std::max(1, int(pt * 96.0 / 72.0 * scale + 0.5)));
  f.setBold(bold);
  return f;
}

Theme default_theme() { return Theme{}; }

bool is_cjk(QChar c) { return c.unicode() >= 0x2E80 && c.unicode() <= 0x9FFF; }

QFont drawn_font(QFont f, const QString& text, double target_px) {
  if (f.bold() && target_px < 16 && std::any_of(text.begin(), text.end(), is_cjk)) f.setBold(false);
  return f;
}

// Lecture mode: 24 px is the floor for text read from the back row of a
// lecture hall. The timeline's smallest font is 9.5 pt (12.7 px), so the
// scale is 1.9 (24 px); the diagrams scale their text with their panel.
Theme presentation_theme() {
  Theme t;
  t.presentation = true;
  t.scale = 1.9;
  return t;
}

}  // namespace tcpsim::render
