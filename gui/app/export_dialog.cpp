// tcpsim — File → Export… (export_dialog.hpp). The drawings and the text
// formats are written by exactly the functions `tcpsim export` calls
// (cli/export_cmd.cpp), through a temporary file renamed into place.
#include "export_dialog.hpp"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QSvgRenderer>
#include <QTemporaryDir>
#include <QVBoxLayout>
#include <sstream>

#include "charts.hpp"
#include "i18n.hpp"
#include "main_window.hpp"
#include "render_export.hpp"

namespace tcpsim::gui {

namespace {

struct KindInfo {
  ExportKind kind;
  const char* name;
  const char* ext;
};
constexpr KindInfo kKinds[] = {
    {ExportKind::Ladder, "ladder", "svg"},      {ExportKind::Diagram, "diagram", "svg"},
    {ExportKind::Chart, "chart", "svg"},        {ExportKind::Frames, "frames", ""},
    {ExportKind::Pcap, "pcap", "pcap"},         {ExportKind::Mermaid, "mermaid", "mmd"},
    {ExportKind::PlantUml, "plantuml", "puml"}, {ExportKind::Dot, "dot", "dot"},
    {ExportKind::Jsonl, "jsonl", "jsonl"},      {ExportKind::Csv, "csv", "csv"},
};

// "1.5s" for the window fields; empty for the open ends.
QString timeText(Time t) {
  if (t == kNever) return {};
  QString s = QString::fromStdString(format_time(t));
  while (s.endsWith('0')) s.chop(1);
  if (s.endsWith('.')) s.chop(1);
  return s + "s";
}

// The export functions install the language of the drawing for the whole
// application; the GUI goes back to its own afterwards.
struct LanguageGuard {
  QString saved = render::current_language();
  ~LanguageGuard() {
    if (render::current_language() != saved) render::install_language(saved);
  }
};

std::string titleOf(const Scenario& s, const QString& lang) {
  std::string t = s.title.get(lang.toStdString());
  return t.empty() ? s.name : t;
}

render::ExportOptions renderOptions(const Scenario& s, const ExportRequest& r, const std::string& path) {
  render::ExportOptions o;
  o.path = path;
  o.from = r.from;
  o.to = r.to;
  o.width = r.width;
  o.height = r.height;
  o.dpi = r.dpi;
  o.page = r.page.toStdString();
  o.lang = r.lang.toStdString();
  return o;
}

bool renderDrawing(const Scenario& s, const Trace& t, const ExportRequest& r, const std::string& path,
                   std::string* error) {
  LanguageGuard guard;
  auto o = renderOptions(s, r, path);
  switch (r.kind) {
    case ExportKind::Ladder: return render::export_ladder(s, t, o, error);
    case ExportKind::Diagram: return render::export_state_diagram(s, t, r.which.toStdString(), o, error);
    case ExportKind::Chart: return render::export_chart(s, t, r.chart.toStdString(), o, error);
    default: break;
  }
  if (error) *error = "not a drawing";
  return false;
}

// Writes a text kind (or the capture) to a stream.
void writeText(const Scenario& s, const Trace& t, const ExportRequest& r, std::ostream& out) {
  TimeWindow w{r.from, r.to};
  switch (r.kind) {
    case ExportKind::Pcap: {
      PcapOptions po;
      po.window = w;
      po.include_dropped = r.include_dropped;
      write_pcap(t, out, po);
      break;
    }
    case ExportKind::Mermaid:
    case ExportKind::PlantUml: {
      DiagramOptions d;
      d.window = w;
      d.title = titleOf(s, r.lang);
      if (r.kind == ExportKind::Mermaid) write_mermaid(t, out, d);
      else write_plantuml(t, out, d);
      break;
    }
    case ExportKind::Dot: {
      DotOptions d;
      d.window = w;
      std::string err;
      d.sockets = resolve_endpoints(t, r.which.toStdString(), &err);
      d.title = titleOf(s, r.lang);
      write_dot(t, out, d);
      break;
    }
    case ExportKind::Jsonl: write_jsonl(t, out, w); break;
    case ExportKind::Csv: write_counts_csv(t, out, w); break;
    default: break;
  }
}

std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}
std::uint16_t be16(const unsigned char* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }
std::uint32_t le32(const unsigned char* p) {
  return (std::uint32_t(p[3]) << 24) | (std::uint32_t(p[2]) << 16) | (std::uint32_t(p[1]) << 8) | p[0];
}

}  // namespace

QString exportKindName(ExportKind k) {
  for (const auto& i : kKinds)
    if (i.kind == k) return i.name;
  return {};
}

bool exportKindFromName(const QString& name, ExportKind* k) {
  for (const auto& i : kKinds)
    if (name == i.name) {
      *k = i.kind;
      return true;
    }
  return false;
}

bool isGraphicExport(ExportKind k) {
  return k == ExportKind::Ladder || k == ExportKind::Diagram || k == ExportKind::Chart;
}

QString defaultExtension(ExportKind k) {
  for (const auto& i : kKinds)
    if (i.kind == k) return i.ext;
  return {};
}

QString validateExport(const Trace& t, const ExportRequest& r) {
  if (r.from < 0) return ExportDialog::tr("The time window cannot start before 0 s.");
  if (r.to != kNever && r.from > r.to)
    return ExportDialog::tr("The time window is empty: from %1 is after to %2.").arg(timeText(r.from), timeText(r.to));
  if (r.kind == ExportKind::Chart) {
    const auto& names = render::chart_names();
    if (std::find(names.begin(), names.end(), r.chart.toStdString()) == names.end())
      return ExportDialog::tr("Unknown chart '%1'.").arg(r.chart);
  }
  if (r.kind == ExportKind::Diagram || r.kind == ExportKind::Dot) {
    std::string err;
    if (resolve_endpoints(t, r.which.toStdString(), &err).empty())
      return ExportDialog::tr("No endpoint '%1' in this scenario: %2").arg(r.which, QString::fromStdString(err));
  }
  if (isGraphicExport(r.kind)) {
    if (r.width < 0 || r.height < 0 || r.width > 20000 || r.height > 20000)
      return ExportDialog::tr("The PNG size must be between 1 and 20000 pixels (0 = natural size).");
    if (r.dpi < 24 || r.dpi > 1200) return ExportDialog::tr("The resolution must be between 24 and 1200 dpi.");
    if (!r.page.isEmpty() && r.page != "A4" && r.page != "Letter")
      return ExportDialog::tr("Unknown page size '%1' (expected A4 or Letter).").arg(r.page);
  }
  if (r.path.trimmed().isEmpty())
    return r.kind == ExportKind::Frames ? ExportDialog::tr("Choose a folder for the frames.") : ExportDialog::tr("Choose a file to write.");
  QFileInfo fi(r.path);
  if (r.kind == ExportKind::Frames) {
    if (fi.exists() && !fi.isDir()) return ExportDialog::tr("%1 is a file, not a folder.").arg(r.path);
    QFileInfo parent(fi.exists() ? fi.absoluteFilePath() : fi.absolutePath());
    if (!parent.isDir()) return ExportDialog::tr("Cannot write to %1: the folder %2 does not exist.").arg(r.path, parent.filePath());
    if (!parent.isWritable()) return ExportDialog::tr("Cannot write to %1: the folder is not writable.").arg(parent.filePath());
    return {};
  }
  if (isGraphicExport(r.kind)) {
    QString ext = fi.suffix().toLower();
    if (ext != "svg" && ext != "pdf" && ext != "png")
      return ExportDialog::tr("Unknown format '%1' of %2 (expected .svg, .pdf or .png).")
          .arg(ext.isEmpty() ? ExportDialog::tr("(none)") : "." + ext, fi.fileName());
  }
  if (fi.isDir()) return ExportDialog::tr("%1 is a folder; choose a file name.").arg(r.path);
  if (!fi.absoluteDir().exists())
    return ExportDialog::tr("Cannot write to %1: the folder %2 does not exist.").arg(r.path, fi.absolutePath());
  std::string err;
  if (!check_writable(r.path.toStdString(), &err))
    return ExportDialog::tr("Cannot write to %1: %2").arg(r.path, QString::fromStdString(err));
  return {};
}

bool performExport(const Scenario& s, const Trace& t, const ExportRequest& r, QString* error) {
  QString v = validateExport(t, r);
  if (!v.isEmpty()) {
    if (error) *error = v;
    return false;
  }
  std::string err;
  bool ok = false;
  const std::string path = r.path.toStdString();
  if (r.kind == ExportKind::Frames) {
    err = "the frames are exported by the main window";
  } else if (isGraphicExport(r.kind)) {
    ok = write_file_atomically(
        path, r.overwrite,
        [&](const std::string& tmp, std::string* e) { return renderDrawing(s, t, r, tmp, e); }, &err);
  } else {
    ok = write_stream_atomically(path, r.overwrite, [&](std::ostream& f) { writeText(s, t, r, f); }, &err);
  }
  if (!ok && error) *error = ExportDialog::tr("Export failed: %1").arg(QString::fromStdString(err));
  return ok;
}

QString pcapSummary(const Trace& t, const PcapOptions& o, int max_rows, int* total) {
  std::ostringstream out;
  write_pcap(t, out, o);
  const std::string b = out.str();
  const auto* p = reinterpret_cast<const unsigned char*>(b.data());
  // Columns: number, time, flow, flags, seq, ack, len (the flow column as wide as its longest).
  std::vector<QStringList> rows;
  rows.push_back({ExportDialog::tr("No."), ExportDialog::tr("Time (s)"), ExportDialog::tr("Source → Destination"),
                  ExportDialog::tr("Flags"), ExportDialog::tr("Seq"), ExportDialog::tr("Ack"), ExportDialog::tr("Len")});
  RelativeSeq rel;
  int n = 0;
  for (std::size_t at = 24; at + 16 <= b.size();) {
    const std::uint32_t ts = le32(p + at), us = le32(p + at + 4), incl = le32(p + at + 8);
    const unsigned char* ip = p + at + 16;
    at += 16 + incl;
    if (at > b.size() || incl < 40) break;
    const unsigned ihl = (ip[0] & 0x0f) * 4u;
    const unsigned char* tcp = ip + ihl;
    Segment s;
    s.src_ip = be32(ip + 12);
    s.dst_ip = be32(ip + 16);
    s.sport = be16(tcp);
    s.dport = be16(tcp + 2);
    s.seq = be32(tcp + 4);
    s.ack = be32(tcp + 8);
    s.flags = tcp[13] & 0x3f;
    s.win = be16(tcp + 14);
    const unsigned thl = (tcp[12] >> 4) * 4u;
    s.len = be16(ip + 2) - ihl - thl;
    auto r = rel.add(s);
    ++n;
    if (n > max_rows) continue;
    rows.push_back({QString::number(n), QString("%1.%2").arg(ts).arg(us, 6, 10, QChar('0')),
                    QString::fromStdString(endpoint_string(s.src_ip, s.sport)) + " → " +
                        QString::fromStdString(endpoint_string(s.dst_ip, s.dport)),
                    QString::fromStdString(flags_string(s.flags)), QString::number(r.seq),
                    (s.flags & kAck) ? QString::number(r.ack) : QString("—"), QString::number(s.len)});
  }
  // Columns of a monospace font: CJK characters (the Chinese headers) take two.
  auto cols = [](const QString& t) {
    int n = 0;
    for (QChar c : t) n += c.unicode() >= 0x2E80 && c.unicode() <= 0xFFEF ? 2 : 1;
    return n;
  };
  int w[7] = {};
  for (const auto& row : rows)
    for (int i = 0; i < 7; ++i) w[i] = std::max(w[i], cols(row[i]));
  QStringList lines;
  for (const auto& row : rows) {
    QString l;
    for (int i = 0; i < 7; ++i) {
      // Numbers to the right, text to the left.
      const bool right = i == 0 || i == 1 || i >= 4;
      const QString pad(std::max(0, w[i] - cols(row[i])), ' ');
      l += (i ? "  " : "") + (right ? pad + row[i] : row[i] + pad);
    }
    while (l.endsWith(' ')) l.chop(1);
    lines << l;
  }
  if (total) *total = n;
  return lines.join('\n');
}

ExportPreview makePreview(const Scenario& s, const Trace& t, const ExportRequest& req, int width, int max_height,
                          int max_lines) {
  ExportPreview pv;
  ExportRequest r = req;
  QTemporaryDir tmp;
  // The preview never touches the output path: it is checked on export.
  r.path = tmp.filePath("preview." + (isGraphicExport(r.kind) ? QString("svg") : defaultExtension(r.kind)));
  r.overwrite = true;
  if (r.kind == ExportKind::Frames) r.path = tmp.path();
  pv.error = validateExport(t, r);
  if (!pv.error.isEmpty()) return pv;
  if (r.kind == ExportKind::Frames) return pv;  // the dialog shows the main view
  if (r.kind == ExportKind::Pcap) {
    PcapOptions po;
    po.window = TimeWindow{r.from, r.to};
    po.include_dropped = r.include_dropped;
    int total = 0;
    pv.text = pcapSummary(t, po, max_lines, &total);
    pv.note = total > max_lines ? ExportDialog::tr("%1 packets; the first %2 are listed.").arg(total).arg(max_lines)
                                : ExportDialog::tr("%n packet(s).", nullptr, total);
    return pv;
  }
  if (!isGraphicExport(r.kind)) {
    std::ostringstream out;
    writeText(s, t, r, out);
    QString all = QString::fromStdString(out.str());
    QStringList lines = all.split('\n');
    if (!lines.isEmpty() && lines.back().isEmpty()) lines.pop_back();
    if (lines.size() > max_lines) {
      pv.note = ExportDialog::tr("%1 lines; the first %2 are shown.").arg(lines.size()).arg(max_lines);
      lines = lines.mid(0, max_lines);
    } else {
      pv.note = ExportDialog::tr("%n line(s), %1 bytes.", nullptr, lines.size()).arg(out.str().size());
    }
    pv.text = lines.join('\n');
    return pv;
  }
  std::string err;
  if (!renderDrawing(s, t, r, r.path.toStdString(), &err)) {
    pv.error = QString::fromStdString(err);
    return pv;
  }
  QSvgRenderer svg(r.path);
  QRectF vb = svg.viewBoxF();
  if (!svg.isValid() || vb.width() <= 0 || vb.height() <= 0) {
    pv.error = ExportDialog::tr("The preview could not be drawn.");
    return pv;
  }
  double k = width / vb.width();
  int full_h = std::max(1, static_cast<int>(std::ceil(vb.height() * k)));
  int h = std::min(full_h, max_height);
  QImage img(width, h, QImage::Format_ARGB32_Premultiplied);
  img.fill(Qt::white);
  {
    QPainter p(&img);
    p.setRenderHint(QPainter::Antialiasing);
    p.setRenderHint(QPainter::TextAntialiasing);
    svg.render(&p, QRectF(0, 0, width, vb.height() * k));
  }
  pv.image = img;
  pv.note = ExportDialog::tr("Drawing %1 × %2 px.").arg(qRound(vb.width())).arg(qRound(vb.height()));
  if (full_h > max_height) pv.note += " " + ExportDialog::tr("The preview shows its top part.");
  return pv;
}

// ---------------------------------------------------------------- the dialog

ExportDialog::ExportDialog(MainWindow* win, ExportKind kind) : QDialog(win), win_(win) {
  setObjectName("exportDialog");
  setWindowTitle(tr("Export"));
  if (win_ && win_->presentationMode()) {
    // On a projector the dialog is read from the back of the room too.
    QFont f = font();
    f.setPointSizeF(15);
    setFont(f);
  }
  buildUi();
  preview_timer_.setSingleShot(true);
  preview_timer_.setInterval(200);
  connect(&preview_timer_, &QTimer::timeout, this, &ExportDialog::updatePreviewNow);
  {
    QSignalBlocker b(kind_);
    kind_->setCurrentIndex(std::max(0, kind_->findData(exportKindName(kind))));
  }
  syncExtension();
  syncFromKind();
  resize(1280, 800);
}

void ExportDialog::buildUi() {
  auto* top = new QHBoxLayout(this);
  auto* split = new QSplitter(Qt::Horizontal, this);
  top->addWidget(split);

  // Left: what and how.
  auto* left = new QWidget(split);
  auto* ll = new QVBoxLayout(left);
  ll->setContentsMargins(0, 0, 6, 0);
  auto* form = form_ = new QFormLayout;
  form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
  ll->addLayout(form);

  kind_ = new QComboBox(left);
  kind_->setObjectName("kind");
  const std::pair<ExportKind, QString> kinds[] = {
      {ExportKind::Ladder, tr("Packet timeline (ladder diagram)")},
      {ExportKind::Diagram, tr("State diagrams")},
      {ExportKind::Chart, tr("Chart")},
      {ExportKind::Frames, tr("Animation frames (PNG folder)")},
      {ExportKind::Pcap, tr("Capture for Wireshark (pcap)")},
      {ExportKind::Mermaid, tr("Mermaid sequence diagram")},
      {ExportKind::PlantUml, tr("PlantUML sequence diagram")},
      {ExportKind::Dot, tr("Graphviz DOT state machine")},
      {ExportKind::Jsonl, tr("JSONL trace")},
      {ExportKind::Csv, tr("CSV of socket counts per state")},
  };
  for (const auto& [k, label] : kinds) kind_->addItem(label, exportKindName(k));
  form->addRow(tr("Export:"), kind_);

  auto addRow = [&](const QString& label, QWidget* field) {
    auto* l = new QLabel(label, left);
    form->addRow(l, field);
    return Row{l, field};
  };
  which_ = new QComboBox(left);
  which_->setObjectName("which");
  which_->addItem(tr("Both endpoints"), "both");
  which_->addItem(tr("Client"), "client");
  which_->addItem(tr("Server"), "server");
  row_which_ = addRow(tr("Endpoints:"), which_);

  chart_ = new QComboBox(left);
  chart_->setObjectName("chart");
  chart_->addItem(tr("Sockets per state"), "states");
  chart_->addItem(tr("Endpoint states"), "endpoint");
  chart_->addItem(tr("Seq / ack"), "seq");
  chart_->addItem(tr("cwnd / RTT"), "cwnd");
  row_chart_ = addRow(tr("Chart:"), chart_);

  format_ = new QComboBox(left);
  format_->setObjectName("format");
  format_->addItem("SVG", "svg");
  format_->addItem("PDF", "pdf");
  format_->addItem("PNG", "png");
  row_format_ = addRow(tr("Format:"), format_);

  // Time window.
  auto* win = new QWidget(left);
  auto* wl = new QGridLayout(win);
  wl->setContentsMargins(0, 0, 0, 0);
  from_ = new QLineEdit(win);
  from_->setObjectName("from");
  to_ = new QLineEdit(win);
  to_->setObjectName("to");
  from_->setPlaceholderText(tr("start"));
  to_->setPlaceholderText(tr("end"));
  from_->setToolTip(tr("Virtual time, e.g. 1.5s, 200ms, 40us or a number of seconds"));
  to_->setToolTip(from_->toolTip());
  whole_ = new QPushButton(tr("Whole scenario"), win);
  to_cursor_ = new QPushButton(tr("Up to the cursor"), win);
  wl->addWidget(new QLabel(tr("from"), win), 0, 0);
  wl->addWidget(from_, 0, 1);
  wl->addWidget(new QLabel(tr("to"), win), 0, 2);
  wl->addWidget(to_, 0, 3);
  wl->addWidget(whole_, 1, 1);
  wl->addWidget(to_cursor_, 1, 3);
  form->addRow(tr("Time window:"), win);

  auto* size = new QWidget(left);
  auto* sl = new QHBoxLayout(size);
  sl->setContentsMargins(0, 0, 0, 0);
  width_ = new QSpinBox(size);
  height_ = new QSpinBox(size);
  for (auto* sb : {width_, height_}) {
    sb->setRange(0, 20000);
    sb->setSpecialValueText(tr("auto"));
    sb->setSuffix(" px");
  }
  sl->addWidget(width_, 1);
  sl->addWidget(new QLabel("×", size));
  sl->addWidget(height_, 1);
  row_size_ = addRow(tr("PNG size:"), size);
  dpi_ = new QSpinBox(left);
  dpi_->setRange(24, 1200);
  dpi_->setValue(96);
  dpi_->setSuffix(" dpi");
  row_dpi_ = addRow(tr("Resolution:"), dpi_);
  page_ = new QComboBox(left);
  page_->addItem(tr("One page, the size of the drawing"), "");
  page_->addItem(tr("A4 pages"), "A4");
  page_->addItem(tr("Letter pages"), "Letter");
  row_page_ = addRow(tr("PDF pages:"), page_);
  lang_ = new QComboBox(left);
  lang_->addItem("English", "en");
  lang_->addItem("简体中文", "zh_CN");
  lang_->setCurrentIndex(win_ && win_->language().startsWith("zh") ? 1 : 0);
  row_lang_ = addRow(tr("Labels:"), lang_);
  dropped_ = new QCheckBox(tr("Include dropped segments"), left);
  dropped_->setToolTip(tr("Capture at the sender: a segment the network dropped was still sent. "
                          "Without them the capture is taken after the loss point."));
  dropped_->setChecked(true);
  row_dropped_ = addRow(tr("Capture:"), dropped_);

  auto* out = new QWidget(left);
  auto* ol = new QHBoxLayout(out);
  ol->setContentsMargins(0, 0, 0, 0);
  path_ = new QLineEdit(out);
  path_->setObjectName("path");
  browse_ = new QPushButton(tr("Browse…"), out);
  ol->addWidget(path_, 1);
  ol->addWidget(browse_);
  form->addRow(tr("Save to:"), out);

  error_ = new QLabel(left);
  error_->setTextFormat(Qt::PlainText);  // messages quote paths: never rich text
  error_->setObjectName("exportError");
  error_->setWordWrap(true);
  error_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  error_->setStyleSheet("QLabel{background:#FDE3D0;color:#7A2E00;border:2px solid #D55E00;padding:6px;font-weight:bold}");
  error_->hide();
  ll->addWidget(error_);
  ll->addStretch(1);
  buttons_ = new QDialogButtonBox(left);
  auto* ex = buttons_->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
  ex->setDefault(true);
  buttons_->addButton(tr("Close"), QDialogButtonBox::RejectRole);
  ll->addWidget(buttons_);
  connect(buttons_, &QDialogButtonBox::accepted, this, [this] { exportNow(true); });
  connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);

  // Right: the preview.
  auto* right = new QGroupBox(tr("Preview"), split);
  auto* rl = new QVBoxLayout(right);
  preview_note_ = new QLabel(right);
  preview_note_->setWordWrap(true);
  rl->addWidget(preview_note_);
  preview_stack_ = new QStackedWidget(right);
  preview_scroll_ = new QScrollArea(preview_stack_);
  preview_scroll_->setBackgroundRole(QPalette::Dark);
  preview_scroll_->setAlignment(Qt::AlignHCenter | Qt::AlignTop);
  preview_label_ = new QLabel(preview_scroll_);
  preview_label_->setObjectName("previewImage");
  preview_scroll_->setWidget(preview_label_);
  preview_text_ = new QPlainTextEdit(preview_stack_);
  preview_text_->setObjectName("previewText");
  preview_text_->setReadOnly(true);
  preview_text_->setLineWrapMode(QPlainTextEdit::NoWrap);
  QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
  mono.setPointSizeF(std::max(mono.pointSizeF(), 11.0));  // readable on a projector
  preview_text_->setFont(mono);
  preview_stack_->addWidget(preview_scroll_);
  preview_stack_->addWidget(preview_text_);
  rl->addWidget(preview_stack_, 1);
  split->addWidget(left);
  split->addWidget(right);
  split->setStretchFactor(0, 2);
  split->setStretchFactor(1, 5);

  auto changed = [this] {
    if (!syncing_) schedulePreview();
  };
  connect(kind_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
    if (syncing_) return;
    syncExtension();
    syncFromKind();
  });
  connect(format_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
    if (syncing_) return;
    syncExtension();
    syncFromKind();
  });
  for (auto* cb : {which_, chart_, page_, lang_})
    connect(cb, qOverload<int>(&QComboBox::currentIndexChanged), this, [this, cb] {
      if (syncing_) return;
      if (cb == which_ || cb == chart_) syncExtension();
      schedulePreview();
    });
  for (auto* sb : {width_, height_, dpi_}) connect(sb, qOverload<int>(&QSpinBox::valueChanged), this, changed);
  connect(dropped_, &QCheckBox::toggled, this, changed);
  connect(from_, &QLineEdit::textChanged, this, changed);
  connect(to_, &QLineEdit::textChanged, this, changed);
  connect(path_, &QLineEdit::textEdited, this, [this] {
    // A typed extension chooses the format.
    QString ext = QFileInfo(path_->text()).suffix().toLower();
    int i = format_->findData(ext);
    if (i >= 0 && isGraphicExport(request().kind)) {
      QSignalBlocker b(format_);
      format_->setCurrentIndex(i);
      syncFromKind();
    } else {
      schedulePreview();
    }
  });
  connect(whole_, &QPushButton::clicked, this, [this] {
    from_->clear();
    to_->clear();
  });
  connect(to_cursor_, &QPushButton::clicked, this, [this] {
    from_->clear();
    to_->setText(timeText(win_->displayTime()));
  });
  connect(browse_, &QPushButton::clicked, this, &ExportDialog::browse);
}

bool ExportDialog::parseWindow(Time* from, Time* to, QString* error) const {
  *from = 0;
  *to = kNever;
  auto parse = [&](QLineEdit* e, Time* out, const QString& which) {
    QString s = e->text().trimmed();
    if (s.isEmpty()) return true;
    auto t = parse_duration(s.toStdString());
    if (!t) {
      *error = tr("Cannot read the %1 time '%2' (write e.g. 1.5s, 200ms or 40us).").arg(which, s);
      return false;
    }
    *out = *t;
    return true;
  };
  return parse(from_, from, tr("from")) && parse(to_, to, tr("to"));
}

ExportRequest ExportDialog::request() const {
  ExportRequest r;
  exportKindFromName(kind_->currentData().toString(), &r.kind);
  r.path = path_->text().trimmed();
  r.which = which_->currentData().toString();
  r.chart = chart_->currentData().toString();
  QString err;
  parseWindow(&r.from, &r.to, &err);
  r.width = width_->value();
  r.height = height_->value();
  r.dpi = dpi_->value();
  r.page = page_->currentData().toString();
  r.lang = lang_->currentData().toString();
  r.include_dropped = dropped_->isChecked();
  return r;
}

void ExportDialog::setRequest(const ExportRequest& r) {
  syncing_ = true;
  kind_->setCurrentIndex(std::max(0, kind_->findData(exportKindName(r.kind))));
  which_->setCurrentIndex(std::max(0, which_->findData(r.which)));
  chart_->setCurrentIndex(std::max(0, chart_->findData(r.chart)));
  from_->setText(r.from == 0 ? QString() : timeText(r.from));
  to_->setText(timeText(r.to));
  width_->setValue(r.width);
  height_->setValue(r.height);
  dpi_->setValue(r.dpi);
  page_->setCurrentIndex(std::max(0, page_->findData(r.page)));
  lang_->setCurrentIndex(std::max(0, lang_->findData(r.lang)));
  dropped_->setChecked(r.include_dropped);
  path_->setText(r.path);
  int fi = format_->findData(QFileInfo(r.path).suffix().toLower());
  if (fi >= 0) format_->setCurrentIndex(fi);
  syncing_ = false;
  syncFromKind();
}

// The file name the dialog proposes: <folder>/<scenario>-<what>.<ext>.
void ExportDialog::syncExtension() {
  ExportRequest r = request();
  QString dir = QFileInfo(r.path).absolutePath();
  if (r.path.isEmpty()) dir = QSettings().value("exportDir", QDir::homePath()).toString();
  QString base = win_->scenario() ? QString::fromStdString(win_->scenario()->name) : QString("tcpsim");
  QString what = exportKindName(r.kind);
  if (r.kind == ExportKind::Chart) what += "-" + r.chart;
  if (r.kind == ExportKind::Diagram) what += "-" + r.which;
  QString ext = isGraphicExport(r.kind) ? format_->currentData().toString() : defaultExtension(r.kind);
  QString name = base + "-" + what + (ext.isEmpty() ? QString() : "." + ext);
  QSignalBlocker b(path_);
  path_->setText(QDir(dir).filePath(name));
}

void ExportDialog::syncFromKind() {
  ExportRequest r = request();
  const bool graphic = isGraphicExport(r.kind);
  const QString fmt = format_->currentData().toString();
  auto show = [this](Row row, bool on) { form_->setRowVisible(row.field, on); };
  show(row_which_, r.kind == ExportKind::Diagram || r.kind == ExportKind::Dot);
  show(row_chart_, r.kind == ExportKind::Chart);
  show(row_format_, graphic);
  show(row_size_, graphic && fmt == "png");
  show(row_dpi_, graphic && fmt != "pdf");
  show(row_page_, graphic && fmt == "pdf");
  show(row_lang_, graphic);
  show(row_dropped_, r.kind == ExportKind::Pcap);
  browse_->setToolTip(r.kind == ExportKind::Frames ? tr("Choose the folder for frame-0001.png, frame-0002.png, …")
                                                   : tr("Choose the file"));
  schedulePreview();
}

void ExportDialog::browse() {
  ExportRequest r = request();
  QString f;
  if (r.kind == ExportKind::Frames) {
    f = QFileDialog::getExistingDirectory(this, tr("Folder for the frames"), r.path);
  } else {
    QString filter;
    if (isGraphicExport(r.kind)) filter = tr("SVG (*.svg);;PDF (*.pdf);;PNG (*.png)");
    else filter = tr("%1 (*.%2)").arg(kind_->currentText(), defaultExtension(r.kind)) + ";;" + tr("All files (*)");
    // The dialog asks about overwriting itself.
    f = QFileDialog::getSaveFileName(this, tr("Export to"), r.path, filter, nullptr,
                                     QFileDialog::DontConfirmOverwrite);
  }
  if (f.isEmpty()) return;
  path_->setText(f);
  Q_EMIT path_->textEdited(f);
}

void ExportDialog::schedulePreview() {
  if (!syncing_) preview_timer_.start();
}

void ExportDialog::showError(const QString& text) {
  error_->setText(text.isEmpty() ? QString() : "⚠ " + text);
  error_->setVisible(!text.isEmpty());
}

QString ExportDialog::errorText() const { return error_->isVisibleTo(const_cast<ExportDialog*>(this)) ? error_->text() : QString(); }

QString ExportDialog::previewText() const { return preview_text_->toPlainText(); }

void ExportDialog::updatePreviewNow() {
  preview_timer_.stop();
  ExportRequest r = request();
  QString err;
  Time f, t;
  if (!parseWindow(&f, &t, &err)) {
    showError(err);
    return;
  }
  const Scenario* s = win_->scenario();
  auto trace = win_->trace();
  if (!s || !trace) {
    showError(tr("Open a scenario first."));
    return;
  }
  if (win_->bigWorkload()) {
    showError(tr("A big workload keeps no trace to export."));
    return;
  }
  // Errors of the options at once; those of the path (which may not be
  // typed yet) only when it is not empty.
  QString path_err = r.path.isEmpty() ? QString() : validateExport(*trace, r);
  QApplication::setOverrideCursor(Qt::WaitCursor);
  ExportPreview pv;
  if (r.kind == ExportKind::Frames) {
    pv.error = validateExport(*trace, [&] { auto c = r; c.path = QDir::tempPath(); return c; }());
    if (pv.error.isEmpty()) {
      pv.image = win_->centralWidget()->grab().toImage();
      std::size_t first = win_->view()->cursor_for_time(r.from - 1);
      std::size_t last = r.to == kNever ? win_->view()->size() : win_->view()->cursor_for_time(r.to);
      std::size_t n = last >= std::max<std::size_t>(first, 1) ? last - std::max<std::size_t>(first, 1) + 1 : 0;
      pv.note = tr("%n frame(s) of the main view as it is now (%1 × %2 px), one per event.", nullptr, static_cast<int>(n))
                    .arg(pv.image.width())
                    .arg(pv.image.height());
    }
  } else {
    pv = makePreview(*s, *trace, r, std::clamp(preview_scroll_->viewport()->width() - 8, 900, 1600));
  }
  QApplication::restoreOverrideCursor();
  showError(!pv.error.isEmpty() ? pv.error : path_err);
  preview_note_->setText(pv.note);
  preview_image_ = pv.image;
  if (!pv.image.isNull()) {
    showImage();
    preview_stack_->setCurrentWidget(preview_scroll_);
  } else if (!pv.text.isEmpty()) {
    preview_text_->setPlainText(pv.text);
    preview_stack_->setCurrentWidget(preview_text_);
  } else {
    preview_label_->clear();
    preview_text_->clear();
  }
}

// The preview fits the width of its pane; a tall drawing scrolls.
void ExportDialog::showImage() {
  if (preview_image_.isNull()) return;
  int w = std::max(200, preview_scroll_->viewport()->width() - 8);
  QImage img = preview_image_.width() > w ? preview_image_.scaledToWidth(w, Qt::SmoothTransformation) : preview_image_;
  QPixmap pm = QPixmap::fromImage(img);
  preview_label_->setPixmap(pm);
  preview_label_->resize(pm.size());
}

void ExportDialog::resizeEvent(QResizeEvent* e) {
  QDialog::resizeEvent(e);
  showImage();
}

bool ExportDialog::exportNow(bool confirm_overwrite) {
  QString err;
  Time f, t;
  if (!parseWindow(&f, &t, &err)) {
    showError(err);
    return false;
  }
  ExportRequest r = request();
  const Scenario* s = win_->scenario();
  auto trace = win_->trace();
  if (!s || !trace) {
    showError(tr("Open a scenario first."));
    return false;
  }
  if (win_->bigWorkload()) {
    showError(tr("A big workload keeps no trace to export."));
    return false;
  }
  err = validateExport(*trace, r);
  if (!err.isEmpty()) {
    showError(err);
    return false;
  }
  QFileInfo fi(r.path);
  bool exists = r.kind == ExportKind::Frames
                    ? fi.isDir() && !QDir(r.path).entryList({"frame-*.png"}, QDir::Files).isEmpty()
                    : fi.exists();
  if (exists) {
    if (confirm_overwrite) {
      QString q = r.kind == ExportKind::Frames ? tr("%1 already has frames. Replace them?").arg(r.path)
                                               : tr("%1 exists. Replace it?").arg(r.path);
      if (QMessageBox::question(this, tr("Replace?"), q, QMessageBox::Yes | QMessageBox::No, QMessageBox::No) !=
          QMessageBox::Yes)
        return false;
    }
    r.overwrite = true;
  }
  bool ok;
  QApplication::setOverrideCursor(Qt::WaitCursor);
  if (r.kind == ExportKind::Frames) {
    QApplication::restoreOverrideCursor();
    ok = win_->exportFrames(r.path, r.from, r.to, r.overwrite, &err);
  } else {
    ok = performExport(*s, *trace, r, &err);
    QApplication::restoreOverrideCursor();
  }
  if (!ok) {
    showError(err);
    return false;
  }
  showError({});
  QSettings().setValue("exportDir", r.kind == ExportKind::Frames ? fi.absoluteFilePath() : fi.absolutePath());
  Q_EMIT exported(tr("Exported %1.").arg(r.path));
  accept();
  return true;
}

}  // namespace tcpsim::gui
