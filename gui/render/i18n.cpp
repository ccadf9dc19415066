#include "i18n.hpp"

#include <QCoreApplication>
#include <QLocale>
#include <QTranslator>

namespace tcpsim::render {

namespace {
QTranslator* g_tr = nullptr;
QString g_lang = "en";
}  // namespace

bool install_language(const QString& lang) {
  if (g_tr) {
    QCoreApplication::removeTranslator(g_tr);
    delete g_tr;
    g_tr = nullptr;
  }
  g_lang = "en";
  if (!lang.startsWith("zh")) return lang.startsWith("en") || lang.isEmpty();
  auto* t = new QTranslator;
  if (!t->load(":/i18n/tcpsim_zh_CN.qm")) {
    delete t;
    return false;
  }
  QCoreApplication::installTranslator(t);
  g_tr = t;
  g_lang = "zh_CN";
  return true;
}

QString current_language() { return g_lang; }

QString system_language() {
  return QLocale::system().language() == QLocale::Chinese ? "zh_CN" : "en";
}

}  // namespace tcpsim::render
