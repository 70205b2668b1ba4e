#!/usr/bin/env bash
# The one set-up script: `bash dev.sh run` opens the app, `bash dev.sh test` runs the tests.
# Both prepare everything on a fresh Debian machine with only python3: system packages (Qt's
# libraries, a CJK font, python3-venv), a .venv, and the Python packages of pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")"
VENV=.venv
PY="$VENV/bin/python"

# Debian packages: what Qt needs to draw a real window, a CJK font so Chinese is never boxes,
# poppler so the tests draw the printed PDFs as a viewer without font packs would, zbar so they scan the
# QR codes printed on the household cards (the code's encoder is partly ours: app/reports/qr.py), a
# PostgreSQL server the tests start themselves (a township's database), and the standard `age` tool that
# decrypts the monthly packages as a township would.
APT_RUN=(libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0
         libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0
         libxcb-randr0 libxcb-xkb1 fonts-noto-cjk)
APT_TEST=(libegl1 libgl1 libfontconfig1 libdbus-1-3 libxkbcommon0 fonts-noto-cjk poppler-utils zbar-tools
          postgresql age)

need_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "注意 / Note: not a Debian system; please install the equivalents of: ${missing[*]}" >&2
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=sudo; else
      echo "Missing system packages: ${missing[*]}" >&2
      echo "Install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
  else SUDO=""; fi
  echo "Installing system packages: ${missing[*]}"
  $SUDO apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_venv() {
  if [ ! -x "$PY" ]; then
    if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
      need_apt python3-venv
    fi
    python3 -m venv "$VENV"
  fi
  # Reinstall only when pyproject.toml changed since the last install.
  local stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    "$PY" -m pip install -q --upgrade pip
    "$PY" -m pip install -q -e ".[test]"
    rm -f "$VENV"/.installed-*
    touch "$stamp"
  fi
}

cmd="${1:-run}"; shift || true
case "$cmd" in
  run)
    need_apt "${APT_RUN[@]}"
    ensure_venv
    exec "$PY" -m app --demo "$@"
    ;;
  test)
    need_apt "${APT_TEST[@]}"
    ensure_venv
    export QT_QPA_PLATFORM=offscreen
    "$PY" -m ruff check app tests bench
    "$PY" -m ruff format --check app tests bench
    "$VENV/bin/lint-imports"
    "$PY" -m mypy  # types: [tool.mypy] in pyproject.toml, cached in .mypy_cache
    exec "$PY" -m pytest -q -p no:cacheprovider -n 2 -rs "$@"
    ;;
  dist)
    # the one-folder desktop build: dist/FamilyHealthDesk/ (FamilyHealthDesk and fhdesk; packaging/fhdesk.spec)
    ensure_venv
    started=$(date +%s)
    "$PY" -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller \
      packaging/fhdesk.spec
    echo "dist/FamilyHealthDesk: $(du -sh dist/FamilyHealthDesk | cut -f1), built in $(( $(date +%s) - started )) s"
    ;;
  check)
    ensure_venv
    "$PY" -m ruff check app tests bench && "$PY" -m ruff format --check app tests bench && "$VENV/bin/lint-imports" \
      && "$PY" -m mypy
    ;;
  bench)
    need_apt "${APT_TEST[@]}"
    ensure_venv
    export QT_QPA_PLATFORM=offscreen
    exec "$PY" -m bench "$@"
    ;;
  *)
    echo "usage: bash dev.sh [run|test|check|bench|dist] [args...]" >&2; exit 2 ;;
esac
