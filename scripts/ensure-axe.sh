#!/bin/sh
# The browser tests' accessibility sweep (tests/browser/axe.py) injects axe-core, the web's
# standard accessibility engine, into each page. It is fetched here, at install time, from the npm
# registry into a git-ignored folder; the tests never load it from a CDN and never touch the
# network. Without it (no npm, no network) the axe tests skip themselves with a message saying
# how to fetch it. Pinned to axe-core 4 so a new major version cannot change the rules silently.
DIR="${MW_AXE_DIR:-$(dirname "$0")/../.axe}"
AXE="$DIR/node_modules/axe-core/axe.min.js"
[ -f "$AXE" ] && exit 0
if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's npm to fetch axe-core for the browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null) \
    || echo "Could not install npm."
fi
if command -v npm >/dev/null 2>&1; then
  mkdir -p "$DIR"
  npm install --silent --no-audit --no-fund --no-save --prefix "$DIR" "axe-core@4" >/dev/null \
    || echo "Could not fetch axe-core from npm; the axe sweep will be skipped."
else
  echo "npm not found: the axe sweep will be skipped (install npm, then: sh scripts/ensure-axe.sh)."
fi
exit 0
