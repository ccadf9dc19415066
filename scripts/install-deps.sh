#!/usr/bin/env bash
# Installs, from Debian 12's packages, exactly what tcpsim needs and is missing.
#   scripts/install-deps.sh          build + run dependencies
#   scripts/install-deps.sh --test   also the tools the tests open exports with
set -euo pipefail

BUILD_PKGS=(cmake g++ make pkg-config libboost-dev libyaml-cpp-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev libpcap-dev libgif-dev
  qt6-base-dev qt6-charts-dev qt6-svg-dev qt6-tools-dev qt6-l10n-tools libqt6opengl6-dev
  libqt6svg6 qt6-qpa-plugins fonts-dejavu-core fonts-wqy-microhei xvfb xauth)
TEST_PKGS=(tshark poppler-utils librsvg2-bin graphviz iproute2 tcpdump nftables iptables ethtool
  procps imagemagick libxml2-utils time plantuml lintian desktop-file-utils dpkg-dev fakeroot man-db
  chromium python3-websocket)

pkgs=("${BUILD_PKGS[@]}")
if [[ "${1:-}" == "--test" ]]; then pkgs+=("${TEST_PKGS[@]}"); fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#pkgs[@]} packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture: answer no, non-interactively.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections || true
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}"
