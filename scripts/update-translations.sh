#!/usr/bin/env bash
# Refreshes assets/translations/tcpsim_zh_CN.ts from the sources (lupdate) and
# fills the Chinese from fill_zh.py and assets/translations/zh/*.tsv. Prints the
# strings still untranslated. (English is the source language: no .ts file.) Serialised with a lock so parallel work cannot interleave.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/tmp/tcpsim-translations.lock
flock 9
/usr/lib/qt6/bin/lupdate -no-obsolete -locations none gui/render gui/app gui/main.cpp \
  -ts assets/translations/tcpsim_zh_CN.ts >/dev/null
python3 assets/translations/fill_zh.py assets/translations/tcpsim_zh_CN.ts
