// tcpsim — animated GIF output for `tcpsim export --animation`, encoded by
// giflib (Debian's libgif-dev): each frame quantised to its own 256-colour
// palette (GifQuantizeBuffer), looping forever (the NETSCAPE2.0 extension).
// Frames are written as they come, so memory holds one frame.
#pragma once

#include <cstdint>
#include <string>

namespace tcpsim::cli {

class GifWriter {
 public:
  GifWriter() = default;
  ~GifWriter();
  GifWriter(const GifWriter&) = delete;
  GifWriter& operator=(const GifWriter&) = delete;

  // Opens `path` for frames of width x height; false with *error on failure.
  bool open(const std::string& path, int width, int height, std::string* error);
  // One frame (width*height*4 bytes RGBA, rows top down), shown delay_cs
  // hundredths of a second.
  bool add_frame(const std::uint8_t* rgba, int delay_cs, std::string* error);
  // Finishes the file; false with *error when giflib could not.
  bool close(std::string* error);
  int frames() const { return frames_; }

 private:
  void* gif_ = nullptr;  // GifFileType*
  int width_ = 0, height_ = 0, frames_ = 0;
};

}  // namespace tcpsim::cli
