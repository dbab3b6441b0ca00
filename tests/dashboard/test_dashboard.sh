#!/usr/bin/env bash
# The newsroom's page in real headless Chromium against a real mosquitto and
# real screens (test_dashboard.mjs says what it checks). Exits 77 (skipped),
# with one line saying why, only where Chromium cannot start; anything else
# missing is a failure, since scripts/install-deps.sh installs it all.
set -u
kabar=$1 src=$2 build=$3
here=$(cd "$(dirname "$0")" && pwd)

for tool in node /usr/sbin/mosquitto mosquitto_pub mosquitto_passwd openssl; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (scripts/install-deps.sh)"; exit 1; }
done
[ -d "$here/node_modules/playwright-core" ] ||
  { echo "FAIL: the test driver is not installed (dashboard/vendor.sh --test)"; exit 1; }
[ -s "$src/dashboard/vendor/mqtt.min.js" ] ||
  { echo "FAIL: dashboard/vendor/mqtt.min.js is missing (dashboard/vendor.sh)"; exit 1; }
chromium=${KABAR_CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "skipped: Chromium is not installed ($chromium)"; exit 77; }

cd "$here" && exec timeout -k 10 400 node test_dashboard.mjs "$kabar" "$src" "$build"
