// tcpsim — the self-contained HTML player (tcpsim export --html, tcpsim site;
// docs/html.md): one file with inline SVG, CSS and JavaScript that steps
// through a run with both state diagrams, the ladder, the event log, the
// lesson and the TCB at the cursor, in English and Simplified Chinese.
//
// One source of truth: the page's geometry and labels are computed here by
// the GUI's own layout code — LadderLayout for each time scale and language,
// the state diagram's data file (assets/diagram/rfc793.json, as loaded by
// DiagramLayout) with each transition's arrow resolved by resolve_path(), the
// event log's describe_event() — and embedded as JSON. The page's script
// (assets/html/player.js) only draws those boxes and lines and moves a
// cursor; it makes no layout decision and knows no TCP.
#pragma once

#include <string>
#include <vector>

#include "render_export.hpp"

namespace tcpsim::render {

// A link in the page's header (tcpsim site: back to the index, the
// downloads). href is relative; i18n names a label of the player's own
// (player.js UI table) shown instead of text when set.
struct HtmlLink {
  std::string href, text, i18n;
};

// The page as a string. o.lang is the language the page opens in (the
// other is one click away), o.time_scale its time scale; o.title overrides
// the scenario's title. Needs ensure_gui_app() (fonts measure the layout).
// False with *error when the template is missing.
bool html_player(const Scenario& s, const Trace& t, const ExportOptions& o, std::string* html,
                 std::string* error, const std::vector<HtmlLink>& links = {});
// html_player() written to o.path (the caller renames it into place).
bool export_html(const Scenario& s, const Trace& t, const ExportOptions& o, std::string* error,
                 const std::vector<HtmlLink>& links = {});

// Text for HTML element content and attribute values: & < > " ' escaped.
std::string html_escape(const std::string& s);

}  // namespace tcpsim::render
