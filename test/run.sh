#!/usr/bin/env bash
# The whole test suite, runnable on a fresh Debian/Ubuntu machine with Node 20+:
# installs the system services the integration tests start (influxd, mosquitto,
# postgresql, chromium) when they are missing, installs npm packages from the lockfile, then
# type-checks, lints and runs every test. A missing service fails loudly.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v influxd >/dev/null 2>&1 || need_apt+=(influxdb)
{ command -v mosquitto || [ -x /usr/sbin/mosquitto ]; } >/dev/null 2>&1 || need_apt+=(mosquitto)
command -v mosquitto_pub >/dev/null 2>&1 || need_apt+=(mosquitto-clients)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "test: installing Debian packages: ${need_apt[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}"
fi

# npm ci only when node_modules was not installed from this very lockfile.
lock_stamp=node_modules/.installed-lockfile.sha256
if [ ! -f "$lock_stamp" ] || [ "$(cat "$lock_stamp")" != "$(sha256sum package-lock.json | cut -d' ' -f1)" ]; then
  echo "test: installing npm packages from the lockfile"
  npm ci --no-audit --no-fund --loglevel=error
  sha256sum package-lock.json | cut -d' ' -f1 > "$lock_stamp"
fi

echo "test: type-checking"
npx tsc --noEmit
# The dashboard's plain ES modules: files with // @ts-check, against the generated API types.
npx tsc -p dashboard/tsconfig.json
echo "test: linting"
npx eslint --config test/eslint.config.js .

rm -f test-results.json
status=0
npx vitest run --config test/vitest.config.ts --reporter=default --reporter=json --outputFile=test-results.json "$@" || status=$?
# A plain closing line that any reader of CI output understands.
if [ -f test-results.json ]; then
  node -e 'const r=require("./test-results.json");console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed`+(r.numPendingTests?`, ${r.numPendingTests} skipped`:""))'
fi
exit $status
