#!/usr/bin/env bash
# The main job: install what is missing, build, and open the GUI on the
# default scenario; with no display, replay the same scenario in the terminal.
#   scripts/run.sh [SCENARIO]
set -euo pipefail
cd "$(dirname "$0")/.."
SCENARIO="${1:-scenarios/normal-close.yaml}"
scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j"$(nproc)" --target tcpsim $(grep -q tcpsim-gui gui/CMakeLists.txt && echo tcpsim-gui)
if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" && -x build/default/gui/tcpsim-gui ]]; then
  exec build/default/gui/tcpsim-gui "$SCENARIO"
fi
echo "No display: replaying $SCENARIO in the terminal (set DISPLAY for the GUI)."
exec build/default/cli/tcpsim replay "$SCENARIO"
