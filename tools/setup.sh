#!/usr/bin/env bash
# Installs exactly the Debian 12 packages rekeysim needs that are missing.
# As root it runs apt-get non-interactively; otherwise it prints the one
# apt-get line to run and exits non-zero, so a README command never half-works.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config
  libboost-dev          # Boost.Asio thread pool
  libspdlog-dev libfmt-dev
  libyaml-cpp-dev
  catch2                # Catch2 v2 + catch_discover_tests
  libcli11-dev
  nlohmann-json3-dev
  libbenchmark-dev      # Google Benchmark
  librsvg2-bin          # rsvg-convert, used by the SVG tests
  libssl-dev            # libcrypto: AES-CBC / HMAC-SHA1 of `trace --pcap` captures
  tshark                # decodes the `trace --pcap` captures in the CLI tests
  chromium              # headless render check of `rekeysim report` pages (tests/cli)
  ccache                # compiler cache: every preset compiles through it
  clang libclang-rt-14-dev  # clang++ and libFuzzer for the fuzz harnesses (tests/fuzz)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "rekeysim setup: missing packages: ${missing[*]}" >&2
  echo "run as root:  apt-get update && $cmd" >&2
  exit 1
fi

echo "rekeysim setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# tshark's package asks whether non-root users may capture: answer no.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
