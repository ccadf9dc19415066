// tcpsim — GifWriter (gif_writer.hpp) over giflib 5.2.
// GIF89a: https://www.w3.org/Graphics/GIF/spec-gif89a.txt (graphic control
// extension §23 for the frame delay; the NETSCAPE2.0 application extension
// for looping is the de-facto standard every viewer reads).
#include "gif_writer.hpp"

#include <gif_lib.h>

#include <vector>

namespace tcpsim::cli {

namespace {
std::string gif_error(int code) {
  const char* s = GifErrorString(code);
  return s ? s : "giflib error " + std::to_string(code);
}
}  // namespace

GifWriter::~GifWriter() {
  if (gif_) {
    int err = 0;
    EGifCloseFile(static_cast<GifFileType*>(gif_), &err);
  }
}

bool GifWriter::open(const std::string& path, int width, int height, std::string* error) {
  int err = 0;
  GifFileType* g = EGifOpenFileName(path.c_str(), false, &err);
  if (!g) {
    *error = "cannot write '" + path + "': " + gif_error(err);
    return false;
  }
  gif_ = g;
  width_ = width;
  height_ = height;
  EGifSetGifVersion(g, true);  // GIF89a: frame delays and looping
  if (EGifPutScreenDesc(g, width, height, 8, 0, nullptr) == GIF_ERROR) {
    *error = "giflib: " + gif_error(g->Error);
    return false;
  }
  // Loop forever: NETSCAPE2.0, sub-block {1, loop count 0 (little endian)}.
  static const unsigned char app[] = {'N', 'E', 'T', 'S', 'C', 'A', 'P', 'E', '2', '.', '0'};
  static const unsigned char loop[] = {1, 0, 0};
  if (EGifPutExtensionLeader(g, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
      EGifPutExtensionBlock(g, sizeof app, app) == GIF_ERROR ||
      EGifPutExtensionBlock(g, sizeof loop, loop) == GIF_ERROR || EGifPutExtensionTrailer(g) == GIF_ERROR) {
    *error = "giflib: " + gif_error(g->Error);
    return false;
  }
  return true;
}

bool GifWriter::add_frame(const std::uint8_t* rgba, int delay_cs, std::string* error) {
  auto* g = static_cast<GifFileType*>(gif_);
  const std::size_t n = static_cast<std::size_t>(width_) * static_cast<std::size_t>(height_);
  std::vector<GifByteType> r(n), gr(n), b(n), idx(n);
  for (std::size_t i = 0; i < n; ++i) {
    r[i] = rgba[4 * i];
    gr[i] = rgba[4 * i + 1];
    b[i] = rgba[4 * i + 2];
  }
  int colours = 256;
  std::vector<GifColorType> pal(256);
  if (GifQuantizeBuffer(static_cast<unsigned>(width_), static_cast<unsigned>(height_), &colours, r.data(),
                        gr.data(), b.data(), idx.data(), pal.data()) == GIF_ERROR) {
    *error = "giflib: cannot quantise frame " + std::to_string(frames_ + 1);
    return false;
  }
  // GifQuantizeBuffer keeps 5 bits per primary, so its palette is off by up
  // to 7 (white comes out #f8f8f8): give each entry the mean of the pixels
  // mapped to it instead.
  {
    std::vector<std::uint64_t> sum(256 * 3, 0), cnt(256, 0);
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t k = idx[i];
      sum[3 * k] += r[i];
      sum[3 * k + 1] += gr[i];
      sum[3 * k + 2] += b[i];
      ++cnt[k];
    }
    for (std::size_t k = 0; k < 256; ++k)
      if (cnt[k]) {
        pal[k].Red = static_cast<GifByteType>((sum[3 * k] + cnt[k] / 2) / cnt[k]);
        pal[k].Green = static_cast<GifByteType>((sum[3 * k + 1] + cnt[k] / 2) / cnt[k]);
        pal[k].Blue = static_cast<GifByteType>((sum[3 * k + 2] + cnt[k] / 2) / cnt[k]);
      }
  }
  ColorMapObject* map = GifMakeMapObject(256, pal.data());
  if (!map) {
    *error = "giflib: out of memory";
    return false;
  }
  GraphicsControlBlock gcb{};
  gcb.DisposalMode = DISPOSE_DO_NOT;
  gcb.UserInputFlag = false;
  gcb.DelayTime = delay_cs;
  gcb.TransparentColor = NO_TRANSPARENT_COLOR;
  GifByteType ext[4];
  EGifGCBToExtension(&gcb, ext);
  bool ok = EGifPutExtension(g, GRAPHICS_EXT_FUNC_CODE, 4, ext) != GIF_ERROR &&
            EGifPutImageDesc(g, 0, 0, width_, height_, false, map) != GIF_ERROR;
  for (int y = 0; ok && y < height_; ++y)
    ok = EGifPutLine(g, idx.data() + static_cast<std::size_t>(y) * width_, width_) != GIF_ERROR;
  GifFreeMapObject(map);
  if (!ok) {
    *error = "giflib: " + gif_error(g->Error);
    return false;
  }
  ++frames_;
  return true;
}

bool GifWriter::close(std::string* error) {
  if (!gif_) return true;
  int err = 0;
  const int rc = EGifCloseFile(static_cast<GifFileType*>(gif_), &err);
  gif_ = nullptr;
  if (rc == GIF_ERROR) {
    *error = "giflib: " + gif_error(err);
    return false;
  }
  return true;
}

}  // namespace tcpsim::cli
