// tcpsim — loading the compiled translations (.qm, built by CMake from
// assets/translations/*.ts and compiled into tcpsim_render as resources).
#pragma once

#include <QString>

namespace tcpsim::render {

// Installs the translator for "zh_CN" (or any "zh*"); "en" removes it.
// Returns false when the language has no translation.
bool install_language(const QString& lang);
QString current_language();
// The language to use when the user did not choose: the system locale's.
QString system_language();

}  // namespace tcpsim::render
