// Issue #14 ("mark every Linux-vs-RFC choice with one greppable word"): the
// markers in core/ and the table "Linux behaviour the model follows" in
// docs/model.md must agree. The canonical forms (docs/model.md, first
// paragraph) are
//   Deviation (Linux, tcp_close()):   Linux's choice where the RFC says otherwise
//                                     (more functions or CONSTANTS may follow the first)
//   Deviation (tcpsim):               the model departs from Linux
// A quoted mention ("Deviation ...") in a comment is not a marker.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct Marker {
  std::string where;               // file:line
  std::vector<std::string> names;  // Linux functions/constants, empty for (tcpsim)
};

std::vector<std::string> lines_of(const fs::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Every "Deviation" in core/src and core/include; bad ones go to `malformed`.
std::vector<Marker> scan_core(std::vector<std::string>& malformed) {
  static const std::regex tcpsim_re(R"(Deviation \(tcpsim\): )");
  static const std::regex name_re(R"([A-Za-z_][A-Za-z0-9_]*)");
  std::vector<Marker> out;
  for (const char* dir : {"core/src", "core/include"}) {
    for (const auto& e : fs::recursive_directory_iterator(fs::path(TCPSIM_SOURCE_DIR) / dir)) {
      const auto ext = e.path().extension();
      if (!e.is_regular_file() || (ext != ".cpp" && ext != ".hpp" && ext != ".h")) continue;
      const auto ls = lines_of(e.path());
      for (std::size_t i = 0; i < ls.size(); ++i) {
        const std::string& l = ls[i];
        const auto at = l.find("Deviation");
        if (at == std::string::npos) continue;
        if (at > 0 && l[at - 1] == '"') continue;  // a quoted mention, not a marker
        const std::string where =
            fs::relative(e.path(), TCPSIM_SOURCE_DIR).string() + ":" + std::to_string(i + 1);
        std::smatch m;
        std::string rest = l.substr(at);
        // A marker's list of names may run on over the next comment lines.
        for (std::size_t j = i + 1; j < ls.size() && j <= i + 3 && rest.rfind("Deviation (", 0) == 0 &&
                                    rest.find("):") == std::string::npos;
             ++j) {
          const auto c = ls[j].find("//");
          if (c == std::string::npos) break;
          rest += " " + ls[j].substr(ls[j].find_first_not_of(' ', c + 2));
        }
        static const std::string linux_head = "Deviation (Linux, ";
        const auto close = rest.find("):");
        const std::string after = rest.rfind(linux_head, 0) == 0 ? rest.substr(linux_head.size()) : "";
        if (!after.empty() && close != std::string::npos && std::regex_search(after, m, name_re) &&
            m.position(0) == 0) {
          // The names: the first identifier, then every f() and CONSTANT before "):".
          Marker mk{where, {m.str()}};
          const std::string list = rest.substr(linux_head.size(), close + 1 - linux_head.size());
          static const std::regex more_re(R"(([A-Za-z_][A-Za-z0-9_]*)\(\)|\b([A-Z][A-Z0-9_]{3,})\b)");
          for (std::sregex_iterator it(list.begin(), list.end(), more_re), end; it != end; ++it)
            mk.names.push_back((*it)[1].matched ? (*it)[1].str() : (*it)[2].str());
          out.push_back(mk);
        } else if (std::regex_search(rest, m, tcpsim_re) && m.position(0) == 0) {
          out.push_back(Marker{where, {}});
        } else {
          malformed.push_back(where + ": " + l);
        }
      }
    }
  }
  return out;
}

struct Row {
  std::string text;
  std::set<std::string> names;  // backticked identifiers of the "Linux source" column
  std::string rfc9293;          // the `profile: rfc9293` column
};

// The rows of "## Linux behaviour the model follows" in docs/model.md.
std::vector<Row> linux_table() {
  static const std::regex name_re(R"(`([A-Za-z_][A-Za-z0-9_]*))");
  std::vector<Row> rows;
  bool in = false;
  int seen = 0;
  for (const auto& l : lines_of(fs::path(TCPSIM_SOURCE_DIR) / "docs/model.md")) {
    if (l.rfind("## ", 0) == 0) in = l == "## Linux behaviour the model follows";
    if (!in || l.rfind("| ", 0) != 0) continue;
    if (seen++ == 0) continue;  // the column header (the separator starts with "|-")
    std::vector<std::string> cells;
    std::stringstream ss(l.substr(1));
    for (std::string c; std::getline(ss, c, '|');) cells.push_back(c);
    if (cells.size() < 4) continue;
    Row r{l, {}, cells[3]};
    r.rfc9293.erase(0, r.rfc9293.find_first_not_of(' '));
    for (std::sregex_iterator it(cells[1].begin(), cells[1].end(), name_re), end; it != end; ++it)
      r.names.insert((*it)[1].str());
    rows.push_back(r);
  }
  return rows;
}

}  // namespace

TEST(DeviationMarkers, EveryMarkerInCoreHasTheCanonicalForm) {
  std::vector<std::string> malformed;
  const auto markers = scan_core(malformed);
  EXPECT_GE(markers.size(), 20u) << "the scan found too few markers: is TCPSIM_SOURCE_DIR right?";
  for (const auto& m : malformed)
    ADD_FAILURE() << m << "\n  write `Deviation (Linux, function()): ...` or `Deviation (tcpsim): ...`";
}

TEST(DeviationMarkers, EveryLinuxMarkerNamesAFunctionDocumentedInModelMd) {
  std::vector<std::string> malformed;
  const auto markers = scan_core(malformed);
  const auto rows = linux_table();
  ASSERT_GE(rows.size(), 20u) << "docs/model.md: table \"Linux behaviour the model follows\" not found";
  std::string doc;
  for (const auto& l : lines_of(fs::path(TCPSIM_SOURCE_DIR) / "docs/model.md")) doc += l + "\n";
  int linux_markers = 0;
  for (const auto& m : markers) {
    if (m.names.empty()) continue;
    ++linux_markers;
    bool any = false;
    for (const auto& n : m.names) any = any || doc.find("`" + n) != std::string::npos;
    EXPECT_TRUE(any) << m.where << ": none of its Linux names is in docs/model.md (add a row to "
                     << "\"Linux behaviour the model follows\" naming it in backticks)";
  }
  EXPECT_GE(linux_markers, 15);
}

TEST(DeviationMarkers, EveryProfileSwitchedRowOfTheDocsTableHasAMarker) {
  std::vector<std::string> malformed;
  const auto markers = scan_core(malformed);
  std::set<std::string> marked;
  for (const auto& m : markers) marked.insert(m.names.begin(), m.names.end());
  int switched = 0;
  for (const auto& r : linux_table()) {
    if (r.rfc9293.rfind("same", 0) == 0) continue;  // both profiles follow Linux here
    ++switched;
    bool any = false;
    for (const auto& n : r.names) any = any || marked.count(n);
    EXPECT_TRUE(any) << "docs/model.md row without a `Deviation (Linux, f())` marker in core/ naming "
                     << "one of its functions:\n  " << r.text;
  }
  EXPECT_GE(switched, 10);
}
