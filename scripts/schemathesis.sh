#!/usr/bin/env bash
# Fuzz the whole API from its OpenAPI document with schemathesis (SECURITY.md: fuzzing on stable
# Rust). Starts `bsmart serve --demo` on loopback with the sign-in limiter off (so the fuzzer
# reaches the handlers; --no-rate-limit is refused without --demo), signs in as the
# demo teacher to fuzz the authenticated routes too, and fails on any 5xx, any status a route does
# not document, any answer that breaks the documented schema or content type, any invalid
# request that is accepted, and any route that ignores its declared authentication.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bsmart-target}"
max_time="${1:-60}"

if ! python3 -c 'import schemathesis' >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "schemathesis>=4.32,<5"
fi
cargo build --locked --quiet
bin="$CARGO_TARGET_DIR/debug/bsmart"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$bin" serve --demo --no-rate-limit --bind "127.0.0.1:$port" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
  curl -fsS "$base/api/v1/setting" >/dev/null 2>&1 && break
  sleep 0.1
done
token=$(curl -fsS -H 'Content-Type: application/json' \
  -d '{"email":"teacher@demo.test","password":"demo-teacher-passphrase"}' \
  "$base/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

# Logout and reauth end the session the fuzzer signs in with, so they are left to the
# integration tests. One worker: with two, hypothesis parses lambda sources from two threads and
# CPython 3.11's `ast.parse` is not thread-safe there (cpython gh-106905: "AST constructor
# recursion depth mismatch"), which failed a CI run on a fault of the fuzzer, not of the API.
python3 -m schemathesis.cli run "$base/api/v1/openapi.json" \
  --header "Authorization: Bearer $token" \
  --exclude-path /api/v1/auth/logout --exclude-path /api/v1/auth/reauth \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection,ignored_auth \
  --phases examples,coverage,fuzzing \
  --max-time "$max_time" \
  --workers 1
