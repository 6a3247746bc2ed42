#!/usr/bin/env bash
# Build the release binary and measure it (launch to first frame, peak memory, idle CPU and
# wake-ups, keystroke latency, writes per frame). See scripts/measure.py for the methods.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/bsmart-target}"
cargo build --release --locked
exec python3 scripts/measure.py --bin "$CARGO_TARGET_DIR/release/bsmart" "$@"
