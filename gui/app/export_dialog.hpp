// tcpsim — File → Export…: every export `tcpsim export` makes, from the GUI,
// with its options and a live preview.
//
// The work is split the way the CLI's is: an ExportRequest (plain data, no
// widgets) says what to write; performExport() writes it with the same
// functions as `tcpsim export` (gui/render/render_export.hpp for the
// drawings, tcpsim/export.hpp for the text formats and the capture), through
// a temporary file renamed into place, so a failed export never leaves half a
// file nor destroys an existing one. makePreview() shows what a request would
// write. The dialog only edits a request, previews it and calls those; the
// frames are the one export that needs the main window (they are grabs of
// it), so MainWindow::exportFrames() does them.
#pragma once

#include <QDialog>
#include <QImage>
#include <QString>
#include <QTimer>

#include "tcpsim/export.hpp"
#include "tcpsim/scenario.hpp"
#include "tcpsim/trace.hpp"

class QComboBox;
class QDialogButtonBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QScrollArea;
class QSpinBox;
class QStackedWidget;
class QPushButton;
class QCheckBox;

namespace tcpsim::gui {

class MainWindow;

enum class ExportKind { Ladder, Diagram, Chart, Frames, Pcap, Mermaid, PlantUml, Dot, Jsonl, Csv };

// Stable names ("ladder", "diagram", "chart", "frames", "pcap", "mermaid",
// "plantuml", "dot", "jsonl", "csv"), the CLI's option names without "--".
QString exportKindName(ExportKind k);
bool exportKindFromName(const QString& name, ExportKind* k);
// Drawings that have an SVG/PDF/PNG format.
bool isGraphicExport(ExportKind k);
// The default file extension of a kind (graphic kinds: "svg"); empty for frames.
QString defaultExtension(ExportKind k);

struct ExportRequest {
  ExportKind kind = ExportKind::Ladder;
  QString path;                 // the output file (the folder for frames)
  QString which = "both";       // state diagram and DOT: "client", "server", "both"
  QString chart = "states";     // "endpoint", "states", "seq"
  Time from = 0, to = kNever;   // time window of virtual time
  int width = 0, height = 0;    // PNG size in pixels (0 = natural)
  int dpi = 96;                 // PNG / SVG resolution
  QString page;                 // PDF: "" one page, "A4", "Letter"
  QString lang = "en";          // "en" or "zh_CN": labels of the drawings
  bool include_dropped = true;  // pcap: the transmissions the network dropped too
  bool overwrite = false;       // replace an existing file
};

// Checks a request before anything runs: the window (from <= to, not
// negative), the format (extension) of a drawing, the PNG size, the output
// path (its folder exists and is writable; an existing file needs
// `overwrite`) and the endpoint. Empty when fine, else a message for the user.
QString validateExport(const Trace& t, const ExportRequest& r);

// Writes the request (every kind but Frames). False with a message in *error;
// nothing is written then.
bool performExport(const Scenario& s, const Trace& t, const ExportRequest& r, QString* error);

struct ExportPreview {
  QImage image;   // drawings
  QString text;   // text formats; the packet list of a pcap
  QString note;   // e.g. "first 2000 of 5230 lines"
  QString error;  // the request is invalid
};
// What the request would write: drawings are rendered by the same function
// to a temporary SVG and rasterized `width` pixels wide (at most
// `max_height` tall, from the top); text formats are the text itself (at
// most `max_lines` lines); a pcap is its packet list, read back from the
// bytes write_pcap() produced.
ExportPreview makePreview(const Scenario& s, const Trace& t, const ExportRequest& r, int width = 900,
                          int max_height = 4000, int max_lines = 2000);

// One line per record of the capture write_pcap() makes for `o` (number,
// time, source → destination, flags, relative seq/ack, length), parsed from
// the pcap bytes themselves; `total` gets the number of records.
QString pcapSummary(const Trace& t, const PcapOptions& o, int max_rows, int* total = nullptr);

class ExportDialog : public QDialog {
  Q_OBJECT
 public:
  // `win` gives the scenario, the trace, the language, the cursor (for
  // "up to the cursor") and the frames export.
  ExportDialog(MainWindow* win, ExportKind kind);

  ExportRequest request() const;
  void setRequest(const ExportRequest& r);
  // Writes the request; on success the dialog closes. Asks before replacing
  // an existing file unless `confirm_overwrite` is false (tests).
  bool exportNow(bool confirm_overwrite = true);
  void updatePreviewNow();

  // For tests and screenshots.
  QString errorText() const;
  QImage previewImage() const { return preview_image_; }
  QString previewText() const;
  QComboBox* kindBox() const { return kind_; }

 Q_SIGNALS:
  void exported(const QString& message);

 protected:
  void resizeEvent(QResizeEvent* e) override;

 private:
  void buildUi();
  void showImage();
  void retranslate();
  void syncFromKind();
  void syncExtension();
  void schedulePreview();
  void showError(const QString& text);
  void browse();
  bool parseWindow(Time* from, Time* to, QString* error) const;

  MainWindow* win_;
  QTimer preview_timer_;
  QImage preview_image_;
  bool syncing_ = false;

  QFormLayout* form_ = nullptr;
  QComboBox* kind_ = nullptr;
  QComboBox* which_ = nullptr;
  QComboBox* chart_ = nullptr;
  QComboBox* format_ = nullptr;
  QLineEdit* from_ = nullptr;
  QLineEdit* to_ = nullptr;
  QPushButton* to_cursor_ = nullptr;
  QPushButton* whole_ = nullptr;
  QSpinBox* width_ = nullptr;
  QSpinBox* height_ = nullptr;
  QSpinBox* dpi_ = nullptr;
  QComboBox* page_ = nullptr;
  QComboBox* lang_ = nullptr;
  QCheckBox* dropped_ = nullptr;
  QLineEdit* path_ = nullptr;
  QPushButton* browse_ = nullptr;
  QLabel* error_ = nullptr;
  QLabel* preview_note_ = nullptr;
  QStackedWidget* preview_stack_ = nullptr;
  QLabel* preview_label_ = nullptr;
  QScrollArea* preview_scroll_ = nullptr;
  QPlainTextEdit* preview_text_ = nullptr;
  QDialogButtonBox* buttons_ = nullptr;
  // Rows shown only for some kinds: label and field.
  struct Row { QLabel* label; QWidget* field; };
  Row row_which_{}, row_chart_{}, row_format_{}, row_size_{}, row_dpi_{}, row_page_{}, row_lang_{}, row_dropped_{};
};

}  // namespace tcpsim::gui
