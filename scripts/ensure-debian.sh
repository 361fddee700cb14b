#!/usr/bin/env bash
# Makes sure Debian's chromium is at /usr/bin/chromium for the browser tests.
# Installs it with apt-get only when it is missing and we are root (CI runs as root on a fresh
# machine); otherwise says what is missing and exits 1 so the caller can skip or fail clearly.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "ensure-chromium: $CHROMIUM is missing and we are not root; install Debian's chromium package" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $CHROMIUM is missing and apt-get is not available" >&2
  exit 1
fi
# Serialize concurrent callers (several test processes, or a developer and a test run).
exec 9>/tmp/agentwire-ensure-chromium.lock
flock 9
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
echo "ensure-chromium: installing Debian's chromium (apt-get update && apt-get install chromium)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends chromium fonts-liberation >&2
"$CHROMIUM" --version >&2
