#!/usr/bin/env bash
# Browser tests need Debian's Chromium; install it when missing and we are root.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ]; then
  echo "Installing Debian's chromium for the browser tests…"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
elif [ -n "${CI:-}" ]; then
  echo "chromium is missing and we are not root: browser tests cannot run" >&2; exit 1
else
  echo "chromium is missing: browser tests will be skipped (install the 'chromium' package)" >&2
fi
