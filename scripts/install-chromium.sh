#!/usr/bin/env bash
# Debian's Chromium for the browser tests (tests/browser), installed once: quick when present.
# Playwright drives it through executable_path; no browser is ever downloaded by Playwright.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium is missing and cannot be installed here: the browser tests will be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null \
  || echo "apt-get install chromium failed: the browser tests will be skipped" >&2
