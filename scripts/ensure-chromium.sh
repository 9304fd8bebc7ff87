#!/bin/sh
# The browser tests (tests/browser) drive Debian's Chromium at /usr/bin/chromium, or the binary
# named by MW_CHROMIUM; they never download a browser (no `playwright install`). Install it when
# we can; otherwise the browser tests skip themselves with a message saying how to install it.
CHROMIUM="${MW_CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
    || echo "Could not install chromium; browser tests will be skipped."
else
  echo "$CHROMIUM not found: browser tests will be skipped (install it with: sudo apt-get install chromium)."
fi
exit 0
