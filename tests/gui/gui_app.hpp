// One offscreen QApplication for every GUI test (created on first use).
#pragma once

#include <QString>

namespace tcpsim::test {
void ensure_app();
QString temp_dir();  // a fresh folder for this test's files
}  // namespace tcpsim::test
