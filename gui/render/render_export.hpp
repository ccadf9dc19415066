// tcpsim — graphic exports drawn by the same scene code as the GUI
// (a Qt painter over the trace), so an SVG in a slide looks like the screen.
// Used by tcpsim-gui (File -> Export...) and by `tcpsim export`.
// Qt is an implementation detail: this header has no Qt types.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tcpsim/scenario.hpp"
#include "tcpsim/simulation.hpp"
#include "tcpsim/trace.hpp"

namespace tcpsim::render {

struct ExportOptions {
  std::string path;          // output file; the format comes from its extension (.svg .pdf .png)
  Time from = 0;             // time window (ladder, charts)
  Time to = kNever;
  int width = 0, height = 0; // PNG size in pixels (0 = natural size)
  int dpi = 96;              // PNG / SVG resolution
  std::string page;          // PDF: "" = one page, "A4" or "Letter" = split over pages
  std::string lang = "en";   // "en" or "zh_CN"
  std::string title;         // defaults to the scenario title
  std::string time_scale = "compressed";  // ladder (and slides): compressed | linear | textbook
  bool calls_and_timers = true;  // ladder (and slides): successful calls and timers (export --no-calls: false)
};

// Must be called once before any export when no QApplication exists; sets
// QT_QPA_PLATFORM=offscreen when there is no display. Safe to call twice.
void ensure_gui_app(int& argc, char** argv);

// Each returns true on success; on failure false and a message in *error.
bool export_ladder(const Scenario& s, const Trace& t, const ExportOptions& o, std::string* error);
// which: "client", "server" (a socket label or process name) or "both".
bool export_state_diagram(const Scenario& s, const Trace& t, const std::string& which,
                          const ExportOptions& o, std::string* error);
// name: "states" (socket counts per state over time), "seq" (seq/ack over time),
//       "endpoint" (each endpoint's state over time), "cwnd" (cwnd, ssthresh,
//       SRTT and RTO of each sender over time).
bool export_chart(const Scenario& s, const Trace& t, const std::string& name,
                  const ExportOptions& o, std::string* error);
// The "states" chart from a series made by run_counts (tcpsim/counts.hpp),
// for runs too big to record: no trace needed. o.from / o.to as above.
// Lines per host and state for up to 4 hosts, else per state for all hosts.
bool export_counts_chart(const Scenario& s, const CountSeries& series, const ExportOptions& o,
                         std::string* error);
// Numbered PNG frames (frame-0001.png ...) of the whole main view stepping
// through the scenario, one per trace event (or per `step` events).
bool export_frames(const Scenario& s, const Trace& t, const std::string& dir,
                   const ExportOptions& o, std::string* error);

// ---- slides and animation (tcpsim export --slides / --animation) ----
// The cursors (number of trace events shown) of the slides of a run, inside
// the window [o.from, o.to]: per "step", one per trace event (the GUI's →
// key); per "state", one per state change. Empty for an unknown `per`.
std::vector<std::size_t> slide_cursors(const Trace& t, const std::string& per, Time from, Time to);
// A PDF with one 16:9 page (960 x 540 pt, PowerPoint's widescreen) per
// cursor, drawn for a 1024 x 576 projector image in the presentation theme
// (no text under 20 px there): a caption (step number, time, title, the
// event), the ladder windowed around the cursor, and each end's state
// diagram as a window on its current state and latest arrow (the end the
// step is about larger).
bool export_slides(const Scenario& s, const Trace& t, const std::vector<std::size_t>& cursors,
                   const ExportOptions& o, std::string* error);
// The same pages as RGBA images (width x height from o.width/o.height,
// default 1600 x 900: the 1024 x 576 slide scaled), handed to `sink` one by one (a GIF encoder), so
// memory stays one frame whatever the count. rgba: width*height*4 bytes,
// rows top to bottom. The sink returns false (with *error) to stop.
using FrameSink = std::function<bool(int width, int height, const std::uint8_t* rgba, std::string* error)>;
bool render_slide_frames(const Scenario& s, const Trace& t, const std::vector<std::size_t>& cursors,
                         const ExportOptions& o, const FrameSink& sink, std::string* error);

}  // namespace tcpsim::render
