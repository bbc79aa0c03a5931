#!/usr/bin/env bash
# Sets up everything companion needs on a Debian-like machine, idempotently.
#   scripts/setup.sh run    -> system audio libraries + .venv with the app
#   scripts/setup.sh test   -> also the virtual-microphone tools, speech synthesis and test extras
set -euo pipefail
mode="${1:-run}"
cd "$(dirname "$0")/.."

run_pkgs="libportaudio2 libsndfile1"
test_pkgs="$run_pkgs alsa-utils pulseaudio pulseaudio-utils libasound2-plugins espeak-ng sox strace"
pkgs="$run_pkgs"; [ "$mode" = test ] && pkgs="$test_pkgs"

missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "setup: please install these Debian packages (as root):$missing" >&2
    exit 1
  fi
fi

py="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$py" -m venv .venv
extras="models,multilingual"; [ "$mode" = test ] && extras="models,multilingual,test"
stamp=".venv/.installed-$mode"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[$extras]"
  touch "$stamp"
fi

# Test data: real recorded speech with reference transcripts, from the pocketsphinx source
# distribution on PyPI (its test recordings). Downloaded once; the tests read it from here
# and never use the network (tests/support/realspeech.py).
if [ "$mode" = test ]; then
  testdata=".venv/share/companion-testdata"
  if [ ! -f "$testdata/pocketsphinx-5.1.1.tar.gz" ]; then
    mkdir -p "$testdata"
    .venv/bin/python -m pip download -q --no-deps --no-binary :all: "pocketsphinx==5.1.1" -d "$testdata"
  fi
  # a woman's recorded speech for benchmarks/speakers.py (Debian package, read in place)
  if ! ls "$testdata"/asterisk-core-sounds-en-g722_*.deb >/dev/null 2>&1; then
    (cd "$testdata" && apt-get download asterisk-core-sounds-en-g722 >/dev/null 2>&1) \
      || echo "setup: asterisk-core-sounds-en-g722 not fetched (only benchmarks/speakers.py needs it)" >&2
  fi
fi
