#!/usr/bin/env bash
# Usage: ensure-debian.sh <executable> <debian-package>...
# Makes sure <executable> exists for the tests (e.g. /usr/bin/chromium, /usr/bin/redis-server).
# Installs the packages with apt-get only when it is missing and we are root (CI runs as root on
# a fresh machine); otherwise says what is missing and exits 1 so the caller fails clearly.
set -euo pipefail
if [ "$#" -lt 2 ]; then
  echo "usage: ensure-debian.sh <executable> <debian-package>..." >&2
  exit 2
fi
EXECUTABLE=$1
shift
if [ -x "$EXECUTABLE" ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "ensure-debian: $EXECUTABLE is missing and we are not root; install Debian's $* package(s)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-debian: $EXECUTABLE is missing and apt-get is not available" >&2
  exit 1
fi
# Serialize concurrent callers (several test processes, or a developer and a test run): apt holds
# its own lock and fails instead of waiting.
exec 9>/tmp/agentwire-ensure-debian.lock
flock 9
if [ -x "$EXECUTABLE" ]; then
  exit 0
fi
echo "ensure-debian: installing $* (apt-get update && apt-get install)" >&2
export DEBIAN_FRONTEND=noninteractive
# The tests start their own private servers on loopback ports; the packages' services (nginx on
# port 80, redis-server on 6379) must not start on install. policy-rc.d exit 101 = "not allowed".
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "$@" >&2
# Not every program has --version (nginx has -v): check that the install produced it.
if [ ! -x "$EXECUTABLE" ]; then
  echo "ensure-debian: installed $* but $EXECUTABLE is still missing" >&2
  exit 1
fi
