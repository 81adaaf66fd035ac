#!/usr/bin/env bash
# The whole test suite, runnable on a fresh Debian/Ubuntu machine with Node 20+:
# installs the system services the integration tests start (influxd, mosquitto,
# chromium) when they are missing, installs npm packages from the lockfile, then
# type-checks, lints and runs every test. A missing service fails loudly.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v influxd >/dev/null 2>&1 || need_apt+=(influxdb)
{ command -v mosquitto || [ -x /usr/sbin/mosquitto ]; } >/dev/null 2>&1 || need_apt+=(mosquitto)
command -v mosquitto_pub >/dev/null 2>&1 || need_apt+=(mosquitto-clients)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "test: installing Debian packages: ${need_apt[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

# npm ci only when node_modules does not match the lockfile.
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s <(node -e 'const l=require("./package-lock.json");delete l.packages[""];console.log(JSON.stringify(Object.keys(l.packages).sort().map(k=>[k,l.packages[k].version])))') <(node -e 'const l=require("./node_modules/.package-lock.json");console.log(JSON.stringify(Object.keys(l.packages).sort().map(k=>[k,l.packages[k].version])))'); then
  echo "test: installing npm packages from the lockfile"
  npm ci --no-audit --no-fund --loglevel=error
fi

echo "test: type-checking"
npx tsc --noEmit
echo "test: linting"
npx eslint .

rm -f test-results.json
status=0
npx vitest run --reporter=default --reporter=json --outputFile=test-results.json "$@" || status=$?
# A plain closing line that any reader of CI output understands.
if [ -f test-results.json ]; then
  node -e 'const r=require("./test-results.json");console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed`+(r.numPendingTests?`, ${r.numPendingTests} skipped`:""))'
fi
exit $status
