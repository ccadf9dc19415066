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

Theme presentation_theme() {
  Theme t;
  t.presentation = true;
  t.scale = 1.6;
  return t;
}

}  // namespace tcpsim::render
