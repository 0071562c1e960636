#!/usr/bin/env bash
# The newcomer's tour: start a sandbox on a free port, order an eSIM against
# it, wait for it and show its activation code as a QR code.
set -euo pipefail
BIN=${1:-bin/connectctl}
work=$(mktemp -d)
sandbox_pid=""
cleanup() {
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A private config, token cache and order journal: the demo's orders never
# land in the user's real journal, and a current profile of prod is never used.
unset CONNECTCTL_CONFIG CONNECTCTL_PROFILE CONNECTCTL_CLIENT_ID CONNECTCTL_CLIENT_SECRET \
  CONNECTCTL_JOURNAL CONNECTCTL_BASE_URL CONNECTCTL_TOKEN_URL
export XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache" XDG_STATE_HOME="$work/state"
export CONNECTCTL_PROFILE=sandbox

"$BIN" sandbox serve --addr 127.0.0.1:0 --order-delay 3s >"$work/addr" 2>"$work/sandbox.log" &
sandbox_pid=$!
for _ in $(seq 100); do [ -s "$work/addr" ] && break; sleep 0.1; done
url=$(head -n 1 "$work/addr")
[ -n "$url" ] || { echo "sandbox did not start:"; cat "$work/sandbox.log"; exit 1; }
echo "== sandbox listening on $url"

# Point the built-in sandbox profile at this sandbox's port.
export CONNECTCTL_BASE_URL="$url"
export CONNECTCTL_TOKEN_URL="$url/auth/realms/tru-staff/protocol/openid-connect/token"

# "Europe 1GB 7 days" from the sandbox's seeded catalogue (docs/sandbox.md).
product='qJ+qU2v/9vFgX3rpyPlEV1CihTo96AWUmsQTIZEn/jI='

echo "== connectctl order new --product $product --email demo@example.com --country PT --device-type ios --wait --qr"
"$BIN" order new --product "$product" --email demo@example.com --country PT \
  --device-type ios --wait --qr --qr-png "${QR_PNG:-esim-qr.png}"

cat <<NEXT

== Try it yourself (the demo's sandbox, config and journal are gone now):
  $BIN sandbox serve &          # the sandbox on 127.0.0.1:7787, the sandbox profile's URL
  $BIN products list
  $BIN order new --product '$product' --email you@example.com --country PT --device-type ios --wait --qr
  $BIN order list
  $BIN sim list
  $BIN --help
Put connectctl on your PATH with: make install (go install into \$(go env GOPATH)/bin)
NEXT
