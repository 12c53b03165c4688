#!/usr/bin/env bash
# Installs the local DynamoDB and SQS servers of the aws backend tests
# (tests/aws, pinned by its package-lock.json) with `npm ci`. Installs
# Debian's nodejs and npm first when they are missing. Does nothing (and
# prints nothing) when tests/aws/node_modules is up to date.
# Never fails: without node or the registry, the tests that need these
# servers skip with the reason, and everything else still runs.
set -uo pipefail
dir="$(cd "$(dirname "$0")/.." && pwd)/tests/aws"
lock="$dir/package-lock.json"
stamp="$dir/node_modules/.package-lock.json"

warn() { echo "warning: $*; the aws backend tests will skip" >&2; }

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    warn "node or npm missing (run as root or install the Debian packages nodejs npm)"
    exit 0
  fi
  echo "installing: nodejs npm"
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends nodejs npm; }; then
    warn "apt-get install nodejs npm failed"
    exit 0
  fi
fi

# npm ci writes node_modules/.package-lock.json last; when it is at least as
# new as the lockfile the installed tree matches the lockfile.
if [ -f "$stamp" ] && [ ! "$stamp" -ot "$lock" ]; then
  exit 0
fi
echo "installing: tests/aws node modules (npm ci)"
# No package needs its install script: dynalite runs in memory, and the
# LevelDB binding it loads ships prebuilt.
if ! (cd "$dir" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error); then
  warn "npm ci in tests/aws failed"
fi
exit 0
