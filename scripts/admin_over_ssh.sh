#!/usr/bin/env bash
# The real binary over a real SSH session on loopback (issue 12): a demo server, a throwaway
# sshd with throwaway keys, and the client run through `ssh -t` inside an 80x24 tmux pane; signs
# in as the demo admin (the demo's 2FA prompt shows the code), presses A, checks the Admin
# screen and the Staff list with a search, quits, and checks the client exited and sshd logged the session. Fails loudly (the
# captured screen printed) when a screen is not as expected. Needs sshd, ssh, ssh-keygen, tmux.
#
# Usage: scripts/admin_over_ssh.sh [PATH/TO/bsmart]   (default: the debug build)
set -euo pipefail
cd "$(dirname "$0")/.."

BIN="${1:-${CARGO_TARGET_DIR:-$HOME/.cache/bsmart-target}/debug/bsmart}"
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
SSH_PORT="${BSMART_SSH_PORT:-2222}"
SERVER_PORT="${BSMART_SSH_SERVER_PORT:-18481}"
SESSION="bsmart-ssh-$$"
for tool in /usr/sbin/sshd ssh ssh-keygen tmux; do
  command -v "$tool" >/dev/null || { echo "admin_over_ssh: $tool is missing (apt-get install openssh-server tmux)"; exit 1; }
done
[ -x "$BIN" ] || { echo "admin_over_ssh: no bsmart binary at $BIN (cargo build first)"; exit 1; }

WORK="$(mktemp -d)"
SERVER_PID="" SSHD_PID=""
cleanup() {
  tmux kill-session -t "$SESSION" 2>/dev/null || true
  [ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

screen() { tmux capture-pane -p -t "$SESSION"; }
fail() {
  echo "admin_over_ssh: FAILED: $*"
  echo "---- screen ----"; screen 2>/dev/null || echo "(no screen: the session is gone)"
  echo "---- sshd log ----"; tail -n 20 "$WORK/sshd.log" 2>/dev/null || true
  echo "---- server log ----"; tail -n 20 "$WORK/server.log" 2>/dev/null || true
  exit 1
}
# Wait up to $2 seconds (default 15) for the screen to show $1.
wait_for() {
  local deadline=$((SECONDS + ${2:-15}))
  until screen 2>/dev/null | grep -qF -- "$1"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "the screen never showed \"$1\""
    sleep 0.2
  done
}

# The demo server, on loopback only.
"$BIN" serve --demo --bind "127.0.0.1:$SERVER_PORT" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
  grep -q "bsmart demo server:" "$WORK/server.log" && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log"; fail "the demo server did not start"; }
  sleep 0.2
done
grep -q "bsmart demo server:" "$WORK/server.log" || fail "the demo server did not start in 20 s"

# Throwaway keys and an sshd that accepts only the throwaway client key, on loopback.
ssh-keygen -q -t ed25519 -N '' -f "$WORK/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$WORK/client_key"
cp "$WORK/client_key.pub" "$WORK/authorized_keys"
chmod 600 "$WORK/authorized_keys"
mkdir -p /run/sshd
cat >"$WORK/sshd_config" <<EOF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $WORK/host_key
AuthorizedKeysFile $WORK/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
PidFile $WORK/sshd.pid
LogLevel INFO
AcceptEnv TERM
EOF
/usr/sbin/sshd -D -e -f "$WORK/sshd_config" 2>"$WORK/sshd.log" &
SSHD_PID=$!
for _ in $(seq 1 50); do
  grep -q "Server listening" "$WORK/sshd.log" && break
  kill -0 "$SSHD_PID" 2>/dev/null || fail "sshd did not start"
  sleep 0.2
done

mkdir -p "$WORK/home"
# The client, over ssh -t, in an 80x24 pane that stays after the client exits (to read why).
tmux new-session -d -s "$SESSION" -x 80 -y 24 \
  "ssh -t -p $SSH_PORT -i $WORK/client_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
     -o LogLevel=ERROR -o BatchMode=yes $(id -un)@127.0.0.1 \
     env HOME=$WORK/home TERM=xterm-256color $BIN --url http://127.0.0.1:$SERVER_PORT; echo \$? > $WORK/status"
tmux set-option -t "$SESSION" remain-on-exit on >/dev/null

wait_for "Demo accounts"
tmux send-keys -t "$SESSION" -l 'admin@demo.test'
tmux send-keys -t "$SESSION" Tab
tmux send-keys -t "$SESSION" -l 'demo-admin-passphrase'
tmux send-keys -t "$SESSION" Enter
wait_for "Two-factor code"
wait_for "the code was"
CODE="$(screen | grep -o 'the code was [0-9]\{6\}' | grep -o '[0-9]\{6\}' | head -n1)"
[ -n "$CODE" ] || fail "no demo code on the 2FA screen"
tmux send-keys -t "$SESSION" -l "$CODE"
tmux send-keys -t "$SESSION" Enter
wait_for "Dashboard"
tmux send-keys -t "$SESSION" A
wait_for "Administration"
screen | head -n1 | grep -qF "Admin" || fail "the title bar does not say Admin"
echo "admin_over_ssh: the Admin screen shows over SSH:"
screen

# Staff: the accounts load, and a search finds the demo teacher with her role and email.
tmux send-keys -t "$SESSION" u
wait_for "Accounts ("
screen | grep -qF "Accounts (61)" || fail "the Staff list does not count the demo's 61 accounts"
tmux send-keys -t "$SESSION" /
tmux send-keys -t "$SESSION" -l 'whitfield'
wait_for "Accounts (1 of 61)"
screen | grep -F "Sarah Whitfield" | grep -qF "Staff" || fail "the search does not show Sarah Whitfield's role"
echo "admin_over_ssh: the Staff list and its search work over SSH:"
screen

# Esc clears the search, q goes back to the hub, q leaves Admin, q again quits the client;
# ssh ends with it.
tmux send-keys -t "$SESSION" Escape
wait_for "Accounts (61)"
tmux send-keys -t "$SESSION" q
wait_for "Administration"
tmux send-keys -t "$SESSION" q
wait_for "Dashboard"
tmux send-keys -t "$SESSION" q
deadline=$((SECONDS + 15))
until [ "$(tmux display-message -p -t "$SESSION" '#{pane_dead}' 2>/dev/null)" = "1" ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "the client did not exit after q"
  sleep 0.2
done
# The exit status as the pane's shell saw it (tmux's pane_dead_status is not always filled in).
STATUS="$(cat "$WORK/status" 2>/dev/null)"
[ "$STATUS" = "0" ] || fail "the client (through ssh) exited with status $STATUS"
grep -q "Accepted publickey for $(id -un)" "$WORK/sshd.log" || fail "sshd logged no accepted session"
echo "admin_over_ssh: ok (signed in over SSH, Admin screen and Staff search shown, client exited 0, sshd logged the session)"
