// tcpsim site OUT/ [FILES...] — a static web site of scenarios, ready to copy
// to any web server or a learning-management system (docs/html.md):
//
//   OUT/index.html            titles, summaries, tags, a search box, EN/中文
//   OUT/<name>/index.html     the HTML player (tcpsim export --html)
//   OUT/<name>/<name>.yaml    the scenario file
//   OUT/<name>/<name>.pcap    the capture (as tcpsim export --pcap)
//   OUT/<name>/<name>-ladder.svg, -ladder.pdf   the ladder (export --ladder)
//
// Every link is relative, nothing is fetched from the network, and every
// page works from file:// too. Default: the whole catalogue. A non-empty OUT
// is refused without --force; each file is written to a temporary name and
// renamed into place (tcpsim/export.hpp).
#include "site_cmd.hpp"

#include <CLI/CLI.hpp>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "limits.hpp"
#include "tcpsim/export.hpp"
#include "tcpsim/loader.hpp"
#include "tcpsim/paths.hpp"
#include "tcpsim/simulation.hpp"
#ifdef TCPSIM_HAVE_RENDER
#include "html_export.hpp"
#include "render_export.hpp"
#endif

namespace tcpsim::cli {

namespace {

struct SiteArgs {
  std::string out;
  std::vector<std::string> files;
  std::string lang = "en";
  std::string time_scale = "compressed";
  bool force = false;
  RunLimits limits;
};

// What the index shows of one scenario.
struct SiteEntry {
  std::string name, file;
  Text title, summary;
  std::vector<std::string> tags;
};

std::string esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// mkdir, fine when it is there already; false with the reason.
bool make_dir(const std::string& p, std::string* err) {
  if (is_dir(p)) return true;
  if (::mkdir(p.c_str(), 0755) == 0) return true;
  *err = "cannot create folder '" + p + "': " + std::strerror(errno);
  return false;
}

std::string default_catalogue() {
  if (::access("scenarios", R_OK) == 0) return "scenarios";
  return catalogue_dir(std::string(TCPSIM_SOURCE_DIR) + "/scenarios");
}

bool read_file(const std::string& path, std::string* out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  *out = ss.str();
  return static_cast<bool>(f) || f.eof();
}

// The index page: everything escaped; the search runs in the page over
// data-text (titles, summaries and tags in both languages, lower case).
std::string index_html(const std::vector<SiteEntry>& entries, const std::string& lang) {
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"" + std::string(lang == "zh_CN" ? "zh-CN" : "en") + "\">\n<head>\n"
       "<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
       "<meta name=\"generator\" content=\"tcpsim site\">\n<title>tcpsim scenarios</title>\n<style>\n"
       "body{font:16px/1.45 \"DejaVu Sans\",\"Noto Sans\",\"Noto Sans CJK SC\",\"WenQuanYi Micro Hei\",\"PingFang SC\","
       "\"Microsoft YaHei\",system-ui,sans-serif;margin:0 auto;max-width:980px;padding:10px 14px;color:#111}\n"
       "h1{font-size:24px;margin:6px 0}header{position:sticky;top:0;background:#fff;padding:4px 0 8px;"
       "border-bottom:1px solid #ccc}\n#q{font-size:16px;padding:6px;width:min(520px,100%)}#lang{font-size:15px;"
       "min-height:34px;font-weight:bold;margin-left:6px}\n#list{list-style:none;padding:0;margin:0}"
       ".sc{border-bottom:1px solid #e3e3e3;padding:10px 0}.sc h2{font-size:18px;margin:0 0 3px}"
       ".sc p{margin:3px 0}.tag{display:inline-block;background:#D7EBF8;border-radius:4px;padding:0 6px;"
       "margin:2px 4px 2px 0;font-size:13px;cursor:pointer}.dl{font-size:14px}.dl a{margin-right:10px}"
       ".name{color:#555;font-size:13px}\nbody[data-lang=en] .zh,body[data-lang=zh_CN] .en{display:none}"
       ".hidden{display:none}\n</style>\n</head>\n";
  h += "<body data-lang=\"" + std::string(lang == "zh_CN" ? "zh_CN" : "en") + "\">\n<header>\n";
  h += "<h1><span class=\"en\">tcpsim: TCP scenarios</span><span class=\"zh\" lang=\"zh-CN\">tcpsim：TCP 场景"
       "</span></h1>\n";
  h += "<input id=\"q\" type=\"search\" autocomplete=\"off\" aria-label=\"Search\" "
       "placeholder=\"Search titles, summaries, tags / 搜索标题、摘要、标签\">";
  h += "<button id=\"lang\" type=\"button\"></button>\n<p id=\"count\" aria-live=\"polite\"></p>\n</header>\n";
  h += "<ul id=\"list\">\n";
  for (const auto& e : entries) {
    std::string text = e.name + " " + e.title.en + " " + e.title.zh + " " + e.summary.en + " " + e.summary.zh;
    for (const auto& t : e.tags) text += " #" + t;
    const std::string dir = e.name + "/";
    h += "<li class=\"sc\" data-name=\"" + esc(e.name) + "\" data-text=\"" + esc(lower(text)) + "\">\n";
    h += "<h2><a class=\"play\" href=\"" + esc(dir) + "index.html\"><span class=\"en\">" + esc(e.title.en) +
         "</span><span class=\"zh\" lang=\"zh-CN\">" + esc(e.title.zh.empty() ? e.title.en : e.title.zh) +
         "</span></a></h2>\n";
    h += "<p><span class=\"en\">" + esc(e.summary.en) + "</span><span class=\"zh\" lang=\"zh-CN\">" +
         esc(e.summary.zh.empty() ? e.summary.en : e.summary.zh) + "</span></p>\n<p>";
    for (const auto& t : e.tags) h += "<span class=\"tag\">" + esc(t) + "</span>";
    h += " <span class=\"name\">" + esc(e.name) + "</span></p>\n";
    h += "<p class=\"dl\"><span class=\"en\">Downloads:</span><span class=\"zh\">下载：</span> ";
    struct Download { std::string file, en, zh; };
    for (const Download& d : std::vector<Download>{{e.name + ".yaml", "scenario .yaml", "场景 .yaml"},
                                                   {e.name + ".pcap", "capture .pcap", "抓包 .pcap"},
                                                   {e.name + "-ladder.svg", "ladder .svg", "时序图 .svg"},
                                                   {e.name + "-ladder.pdf", "ladder .pdf", "时序图 .pdf"}})
      h += "<a href=\"" + esc(dir + d.file) + "\" download><span class=\"en\">" + esc(d.en) +
           "</span><span class=\"zh\" lang=\"zh-CN\">" + esc(d.zh) + "</span></a>";
    h += "</p>\n</li>\n";
  }
  h += "</ul>\n";
  h += R"JS(<script>
(function () {
  'use strict';
  var q = document.getElementById('q'), count = document.getElementById('count');
  var items = Array.prototype.slice.call(document.querySelectorAll('.sc'));
  var btn = document.getElementById('lang');
  function lang() { return document.body.getAttribute('data-lang'); }
  function filter() {
    var words = q.value.toLowerCase().split(/\s+/).filter(Boolean), shown = 0;
    items.forEach(function (li) {
      var t = li.getAttribute('data-text');
      var ok = words.every(function (w) { return t.indexOf(w) >= 0; });
      li.classList.toggle('hidden', !ok);
      if (ok) shown++;
    });
    count.textContent = lang() === 'zh_CN' ? ('显示 ' + shown + ' / ' + items.length + ' 个场景')
                                           : (shown + ' of ' + items.length + ' scenarios');
  }
  function setLang(l) {
    document.body.setAttribute('data-lang', l);
    document.documentElement.lang = l === 'zh_CN' ? 'zh-CN' : 'en';
    btn.textContent = l === 'zh_CN' ? 'English' : '简体中文';
    items.forEach(function (li) {
      var a = li.querySelector('a.play');
      a.setAttribute('href', li.getAttribute('data-name') + '/index.html' + (l === 'zh_CN' ? '#step=0&lang=zh_CN' : ''));
    });
    filter();
  }
  q.addEventListener('input', filter);
  btn.addEventListener('click', function () { setLang(lang() === 'zh_CN' ? 'en' : 'zh_CN'); });
  Array.prototype.forEach.call(document.querySelectorAll('.tag'), function (t) {
    t.addEventListener('click', function () { q.value = '#' + t.textContent; filter(); });
  });
  setLang(lang());
})();
</script>
</body>
</html>
)JS";
  return h;
}

int run_site(const SiteArgs& a) {
  std::string lang = a.lang;
  if (lang == "zh" || lang == "zh-CN") lang = "zh_CN";
  if (lang != "en" && lang != "zh_CN") {
    std::fprintf(stderr, "tcpsim site: --lang: expected en or zh_CN, got '%s'\n", a.lang.c_str());
    return kExitBadInput;
  }
  if (a.time_scale != "compressed" && a.time_scale != "linear" && a.time_scale != "textbook") {
    std::fprintf(stderr, "tcpsim site: --time: unknown time scale '%s' (expected compressed, linear or textbook)\n",
                 a.time_scale.c_str());
    return kExitBadInput;
  }
  std::string out = a.out;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  struct stat st;
  if (::stat(out.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      std::fprintf(stderr, "tcpsim site: OUT: '%s' exists and is not a folder\n", out.c_str());
      return kExitBadInput;
    }
    if (!dir_empty(out) && !a.force) {
      std::fprintf(stderr, "tcpsim site: OUT: folder '%s' is not empty (use --force to write into it)\n", out.c_str());
      return kExitBadInput;
    }
    if (::access(out.c_str(), W_OK) != 0) {
      std::fprintf(stderr, "tcpsim site: OUT: folder '%s' is not writable\n", out.c_str());
      return kExitBadInput;
    }
  } else {
    std::string err;
    if (!check_writable(out, &err)) {
      std::fprintf(stderr, "tcpsim site: OUT: %s\n", err.c_str());
      return kExitBadInput;
    }
  }

  // The scenarios: the given files, else the catalogue.
  // Given files skip the catalogue's index as every command does (`tcpsim
  // site OUT scenarios/*.yaml`).
  std::vector<std::string> files = scenario_file_args(a.files, false);
  if (!a.files.empty() && files.empty()) return kExitBadInput;  // only the index: said so
  if (files.empty()) {
    std::vector<std::string> errors;
    for (const auto& e : list_catalogue(default_catalogue(), &errors)) files.push_back(e.path);
    for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
    if (!errors.empty()) return kExitBadInput;
    if (files.empty()) {
      std::fprintf(stderr, "tcpsim site: no scenarios found in the catalogue '%s'\n", default_catalogue().c_str());
      return kExitBadInput;
    }
  }
  std::vector<Scenario> scenarios;
  std::set<std::string> names;
  for (const auto& f : files) {
    auto s = load_or_report(f);
    if (!s) return kExitBadInput;
    if (!names.insert(s->name).second) {
      std::fprintf(stderr, "tcpsim site: %s: a second scenario named '%s' (each gets the folder OUT/%s/)\n",
                   f.c_str(), s->name.c_str(), s->name.c_str());
      return kExitBadInput;
    }
    scenarios.push_back(std::move(*s));
  }

#ifndef TCPSIM_HAVE_RENDER
  std::fprintf(stderr, "tcpsim site: the player pages and ladders need the Qt build (this tcpsim was built "
                       "without the GUI; configure with -DTCPSIM_BUILD_GUI=ON)\n");
  return kExitBadInput;
#else
  std::string err;
  if (!make_dir(out, &err)) {
    std::fprintf(stderr, "tcpsim site: OUT: %s\n", err.c_str());
    return kExitFailed;
  }
  static int argc = 1;
  static char name[] = "tcpsim";
  static char* argv[] = {name, nullptr};
  render::ensure_gui_app(argc, argv);

  std::vector<SiteEntry> entries;
  for (const auto& s : scenarios) {
    RunOptions ro;
    ro.limits = a.limits;
    Trace trace = run_bounded(s, ro, s.path);
    if (!trace.meta.stopped_by.empty()) return kExitLimit;
    const std::string dir = out + "/" + s.name;
    if (!make_dir(dir, &err)) {
      std::fprintf(stderr, "tcpsim site: %s\n", err.c_str());
      return kExitFailed;
    }
    const std::string base = dir + "/" + s.name;
    bool ok = true;
    // The scenario file, byte for byte.
    std::string yaml;
    if (!read_file(s.path, &yaml)) {
      err = "cannot read '" + s.path + "'";
      ok = false;
    }
    ok = ok && write_stream_atomically(base + ".yaml", true, [&](std::ostream& f) { f << yaml; }, &err);
    ok = ok && write_stream_atomically(base + ".pcap", true, [&](std::ostream& f) { write_pcap(trace, f, PcapOptions{}); },
                                       &err);
    render::ExportOptions ro2;
    ro2.lang = lang;
    ro2.time_scale = a.time_scale;
    for (const char* ext : {"svg", "pdf"}) {
      ok = ok && write_file_atomically(base + "-ladder." + ext, true,
                                       [&](const std::string& tmp, std::string* e) {
                                         render::ExportOptions r = ro2;
                                         r.path = tmp;
                                         return render::export_ladder(s, trace, r, e);
                                       },
                                       &err);
    }
    const std::vector<render::HtmlLink> links = {
        {"../index.html", "← All scenarios", "all"},
        {s.name + ".yaml", s.name + ".yaml", ""},
        {s.name + ".pcap", s.name + ".pcap", ""},
        {s.name + "-ladder.svg", s.name + "-ladder.svg", ""},
        {s.name + "-ladder.pdf", s.name + "-ladder.pdf", ""}};
    ok = ok && write_file_atomically(dir + "/index.html", true,
                                     [&](const std::string& tmp, std::string* e) {
                                       render::ExportOptions r = ro2;
                                       r.path = tmp;
                                       return render::export_html(s, trace, r, e, links);
                                     },
                                     &err);
    if (!ok) {
      std::fprintf(stderr, "tcpsim site: %s: %s\n", s.name.c_str(), err.c_str());
      return kExitFailed;
    }
    std::printf("wrote %s/ (player, scenario, pcap, ladder SVG and PDF)\n", dir.c_str());
    entries.push_back({s.name, s.path, s.title, s.summary, s.tags});
    if (entries.back().title.en.empty()) entries.back().title.en = s.name;
  }
  const std::string index = index_html(entries, lang);
  if (!write_stream_atomically(out + "/index.html", true, [&](std::ostream& f) { f << index; }, &err)) {
    std::fprintf(stderr, "tcpsim site: index.html: %s\n", err.c_str());
    return kExitFailed;
  }
  std::printf("wrote %s/index.html (%zu scenarios)\n", out.c_str(), entries.size());
  return kExitOk;
#endif
}

}  // namespace

void add_site_command(CLI::App& app) {
  auto a = std::make_shared<SiteArgs>();
  CLI::App* sub = app.add_subcommand(
      "site",
      "Make a static web site of scenarios (default: the whole catalogue): an index with a search box and, "
      "per scenario, the HTML player, the scenario file, a pcap and the ladder as SVG and PDF. See docs/html.md.");
  sub->add_option("OUT", a->out, "output folder (created; must be empty unless --force)")->required();
  sub->add_option("FILES", a->files, "scenario files (default: the catalogue)");
  sub->add_option("--lang", a->lang, "language the pages open in and of the ladders: en or zh_CN");
  sub->add_option("--time", a->time_scale, "the players' first time scale and the ladders': compressed, linear "
                                           "or textbook");
  sub->add_flag("--force", a->force, "write into a non-empty OUT (its files of the same names are replaced)");
  add_limit_options(sub, a->limits);
  sub->callback([a]() { exit_status() = run_site(*a); });
}

}  // namespace tcpsim::cli
