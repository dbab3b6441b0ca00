#!/usr/bin/env bash
# Fetches what the newsroom's page (dashboard/) and its tests use from the
# npm registry, at pinned versions checked against pinned hashes. Called by
# scripts/install-deps.sh; quick when everything is there.
#
#   dashboard/vendor.sh          the browser bundle of mqtt into dashboard/vendor/
#   dashboard/vendor.sh --test   also the test driver (playwright-core) into
#                                tests/dashboard/node_modules, from its lock file
#
# The page needs no build step: vendor/mqtt.min.js is the package's own
# browser bundle, copied as published, with its licence beside it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")

# MIT; https://github.com/mqttjs/MQTT.js. Bump both lines together.
mqtt_version=5.16.0
mqtt_integrity=sha512-G0VsEtuJz5sJUgZJaaADMVfW7SIFPzkIuHR+d6rk+tBeSwdCfd9BaIRycRfd2AbyFDEmLlFM+SDQeti/+IbOnw==

test_deps=false
for arg in "$@"; do
  case "$arg" in
    --test) test_deps=true ;;
    *) echo "dashboard/vendor.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
command -v npm >/dev/null || { echo "dashboard/vendor.sh: npm is not installed" >&2; exit 1; }

vendor=$here/vendor
stamp=$vendor/.mqtt-$mqtt_version
if [ ! -e "$stamp" ] || [ ! -s "$vendor/mqtt.min.js" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "dashboard/vendor.sh: fetching mqtt $mqtt_version (the browser bundle)"
  got=$(cd "$tmp" && npm pack --silent --json "mqtt@$mqtt_version" |
    python3 -c 'import json, sys; d = json.load(sys.stdin)[0]; print(d["filename"], d["integrity"])')
  read -r file integrity <<<"$got"
  if [ "$integrity" != "$mqtt_integrity" ]; then
    echo "dashboard/vendor.sh: mqtt $mqtt_version has integrity $integrity, expected $mqtt_integrity" >&2
    exit 1
  fi
  tar -xzf "$tmp/$file" -C "$tmp" package/dist/mqtt.min.js package/LICENSE.md
  mkdir -p "$vendor"
  rm -f "$vendor"/.mqtt-*
  install -m 644 "$tmp/package/dist/mqtt.min.js" "$vendor/mqtt.min.js"
  install -m 644 "$tmp/package/LICENSE.md" "$vendor/mqtt.LICENSE.md"
  touch "$stamp"
fi

if $test_deps; then
  tests=$root/tests/dashboard
  # npm ci again only when the lock file changed since the last install.
  want=$(md5sum <"$tests/package-lock.json" | cut -c1-32)
  if [ "$(cat "$tests/node_modules/.kabar-lock" 2>/dev/null)" != "$want" ]; then
    echo "dashboard/vendor.sh: installing the page's test driver (tests/dashboard/package-lock.json)"
    (cd "$tests" && npm ci --silent --no-audit --no-fund --ignore-scripts)
    echo "$want" >"$tests/node_modules/.kabar-lock"
  fi
fi
