#!/usr/bin/env bash
# Builds the .deb with cpack, lints it, installs it with dpkg into a scratch
# root, and runs the installed programs on the installed catalogue.
# Usage: package_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
work=$(mktemp -d /tmp/tcpsim-package-XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

version=$(sed -n 's/^project(tcpsim VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
arch=$(dpkg --print-architecture)
(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack -G DEB failed"; }
deb="$work/out/tcpsim_${version}_${arch}.deb"
[[ -f $deb ]] || { ls -l "$work/out"; fail "no $deb"; }
echo "built $(basename "$deb") ($(stat -c %s "$deb") bytes)"

# What it holds.
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$work/files"
for f in /usr/bin/tcpsim /usr/bin/tcpsim-gui /usr/share/tcpsim/scenarios/normal-close.yaml \
  /usr/share/tcpsim/scenarios/index.yaml /usr/share/tcpsim/scenarios/README.md \
  /usr/share/applications/tcpsim-gui.desktop /usr/share/icons/hicolor/scalable/apps/tcpsim.svg \
  /usr/share/man/man1/tcpsim.1.gz /usr/share/man/man1/tcpsim-gui.1.gz \
  /usr/share/bash-completion/completions/tcpsim /usr/share/bash-completion/completions/tcpsim-gui \
  /usr/share/doc/tcpsim/copyright /usr/share/doc/tcpsim/changelog.gz; do
  grep -qx "$f" "$work/files" || fail "the package lacks $f"
done
n_yaml=$(grep -c '^/usr/share/tcpsim/scenarios/.*\.yaml$' "$work/files")
n_src=$(ls "$src"/scenarios/*.yaml | wc -l)
[[ $n_yaml -eq $n_src ]] || fail "the package has $n_yaml scenario files, the source $n_src"
dpkg-deb -f "$deb" Depends | grep -q 'libqt6widgets6' || fail "Depends lacks Qt: $(dpkg-deb -f "$deb" Depends)"

# lintian: no errors (warnings are printed, not fatal).
lintian --tag-display-limit 0 "$deb" | tee "$work/lintian" || true
if grep -q '^E:' "$work/lintian"; then fail "lintian reports errors"; fi
echo "lintian: $(grep -c '^W:' "$work/lintian" || true) warnings, no errors"

# Install into a scratch root with dpkg itself.
root="$work/root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
: >"$root/var/lib/dpkg/status"
dpkg --root="$root" --force-not-root --force-depends --force-script-chrootless --log=/dev/null \
  -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i into $root failed"; }
dpkg --root="$root" --force-not-root -s tcpsim | grep -q '^Status: install ok installed' || fail "dpkg does not list tcpsim as installed"
bin="$root/usr/bin"
[[ -x $bin/tcpsim && -x $bin/tcpsim-gui ]] || fail "programs not installed"

# The installed programs find the installed catalogue (not the source tree's).
cd "$work"   # no ./scenarios here
"$bin/tcpsim" --version | grep -Eq "^tcpsim $version \(commit [0-9a-f]{7,}(-dirty)?|unknown\), MIT licence$" ||
  fail "tcpsim --version: $("$bin/tcpsim" --version)"
QT_QPA_PLATFORM=offscreen "$bin/tcpsim-gui" --version | grep -q "^tcpsim-gui $version (commit .*MIT licence" ||
  fail "tcpsim-gui --version: $(QT_QPA_PLATFORM=offscreen "$bin/tcpsim-gui" --version)"
"$bin/tcpsim" list >"$work/list"
grep -q 'normal-close' "$work/list" || fail "tcpsim list does not show the catalogue: $(head -3 "$work/list")"
listed=$(grep -c '^[a-z0-9-]* ' "$work/list" || true)
echo "tcpsim list: $listed lines"
"$bin/tcpsim" check -q "$root"/usr/share/tcpsim/scenarios/*.yaml || fail "tcpsim check on the installed catalogue failed"
echo "tcpsim check: installed catalogue passes"

# Man pages render without warnings, the desktop entry is valid, the
# completion script parses and its subcommands match the program's.
for p in tcpsim tcpsim-gui; do
  out=$(MANWIDTH=80 man --warnings -l "$root/usr/share/man/man1/$p.1.gz" 2>&1 >/dev/null)
  [[ -z $out ]] || fail "man $p: $out"
done
for sub in $("$bin/tcpsim" --help | sed -n '/^Subcommands:/,$ s/^  \([a-z][a-z-]*\) .*/\1/p'); do
  zcat "$root/usr/share/man/man1/tcpsim.1.gz" | grep -q "^\.B[IR]\? \"\?$(echo "$sub" | sed 's/-/\\\\-/g')" ||
    fail "tcpsim(1) does not describe the subcommand '$sub'"
done
desktop-file-validate "$root/usr/share/applications/tcpsim-gui.desktop" || fail "desktop entry invalid"
grep -q '^MimeType=.*yaml' "$root/usr/share/applications/tcpsim-gui.desktop" || fail "desktop entry does not open .yaml"
bash -n "$root/usr/share/bash-completion/completions/tcpsim" || fail "completion script does not parse"
echo "PASS: package"
