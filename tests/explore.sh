#!/usr/bin/env bash
# The explorer from outside: Debian's Chromium driven by Playwright (python/browser), then the HTTP
# API fuzzed by schemathesis from the OpenAPI document the server publishes.
#
#   tests/explore.sh [COGOV_BINARY]      (default target/debug/cogov)
#
# Installs chromium and fonts-noto-cjk from apt when they are missing, and playwright and
# schemathesis into the project's venv (target/ci-venv; never the system site-packages). Playwright
# drives /usr/bin/chromium; it never downloads a browser. Where chromium cannot be installed (not
# root, no apt, no package registry) it says so loudly and skips the browser test, not the API fuzz.
set -euo pipefail
cd "$(dirname "$0")/.."
cogov=$(realpath "${1:-target/debug/cogov}")
venv=target/ci-venv

warn() {
  echo "WARNING: ************************************************************"
  echo "WARNING: $1"
  echo "WARNING: ************************************************************"
}

[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check playwright pytest schemathesis

have_browser=yes
if ! [ -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium fonts-noto-cjk \
      >/tmp/cogov-chromium-apt.log 2>&1 ||
      { apt-get update >/dev/null 2>&1 &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium \
          fonts-noto-cjk >/tmp/cogov-chromium-apt.log 2>&1; } ||
      have_browser=no
  else
    have_browser=no
  fi
fi

browser_started=$SECONDS
if [ $have_browser = yes ]; then
  COGOV_BIN="$cogov" "$venv/bin/python" -m pytest -q python/browser
  echo "explore: the browser test took $((SECONDS - browser_started)) s"
else
  warn "browser test SKIPPED: chromium and fonts-noto-cjk could not be installed (needs root and apt; see /tmp/cogov-chromium-apt.log)"
fi

# The API fuzz: a server whose first preset is a small world, with a per-request cap that refuses
# the shipped presets' full size, so that every generated request is answered within a second.
fuzz_started=$SECONDS
log=$(mktemp)
"$cogov" explore scenarios/china-2020.toml --port 0 --threads 2 --max-agent-steps 1e7 \
  --set world.regions=3 --set enterprises.per_region=40 --set public.per_region=120 \
  --set steps=12 --set replicates=3 >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$log"' EXIT
url=
for _ in $(seq 100); do
  url=$(sed -n 's|^cogov explore: \(http://127\.0\.0\.1:[0-9]*/\)$|\1|p' "$log")
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$log"; echo "the explorer did not start"; exit 1; }
# positive_data_acceptance is left out on purpose: the schema says a value is a number, the registry
# says which numbers (law.fine >= 0, a run no larger than the cap), and such a value is refused with
# the documented 422 and its located message. Every other check runs, a server error among them.
(cd target && "../$venv/bin/schemathesis" run "${url}api/openapi.json" \
  --max-examples 25 --seed 1 --generation-database none --no-color --request-timeout 30 \
  --exclude-checks positive_data_acceptance --report junit --report-dir schemathesis-report)
kill -0 $server || { cat "$log"; echo "the explorer died while it was fuzzed"; exit 1; }
echo "explore: the API fuzz took $((SECONDS - fuzz_started)) s"
