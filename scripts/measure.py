#!/usr/bin/env python3
"""Measure the real bsmart binary the way the project's performance anchors measured gitui
(README, "Measuring performance").

Methods (same names as the anchors):
  P  launch to first full frame on a raw pseudo-terminal (no emulator): fork/exec into a pty and
     stop the clock when the screen title has been written. Done twice: against a live server, and
     against a server that accepts connections but never answers (the first frame must not wait
     for the network).
  R  peak RSS (VmHWM) after signing in and loading every incident on the dashboard.
  I  idle: CPU (utime+stime from /proc, all threads) and context switches (voluntary +
     involuntary, all threads) over two windows with no input after the dashboard is drawn:
     just after loading, and the next (the steady state).
  K  keystroke to screen: one key written, time to the first output byte and to the last byte
     (output quiet for 50 ms).
  W  bytes per row move, and write() calls to the terminal per key press (strace, when
     installed): one frame should go out in one write.

Usage: scripts/measure.py [--bin target/release/bsmart] [--runs 15] [--idle 10] [--scale 1]
It starts its own `bsmart serve --demo` on 127.0.0.1 and signs in as the demo pastoral lead
(2FA code computed from the demo secret), so it needs nothing but Python 3 and the binary.
Only loopback addresses are used.
"""

import argparse
import base64
import fcntl
import hashlib
import hmac
import json
import os
import pty
import re
import select
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
import urllib.request

LEAD_EMAIL = "lead@demo.test"
LEAD_PASSWORD = "demo-lead-passphrase"
LEAD_SECRET = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"
COLS, ROWS = 120, 40


def totp(secret_b32, at=None):
    """RFC 6238 code (SHA-1, 30 s, 6 digits) for the demo secret."""
    key = base64.b32decode(secret_b32)
    step = int((at or time.time()) // 30)
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Pty:
    """The client on a raw pseudo-terminal of COLS x ROWS."""

    def __init__(self, argv, env=None):
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            os.execvpe(argv[0], argv, env or os.environ)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.out = bytearray()

    def read_some(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return b""
        try:
            chunk = os.read(self.fd, 1 << 20)
        except OSError:
            return b""
        self.out += chunk
        return chunk

    def wait_for(self, needle, timeout=10.0):
        """Read until `needle` (bytes) is in the output; return seconds since launch."""
        deadline = time.perf_counter() + timeout
        while needle not in self.out:
            if time.perf_counter() > deadline:
                tail = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b" ", bytes(self.out[-3000:]))
                raise TimeoutError(f"{needle!r} not seen; screen tail: {tail[-600:]!r}")
            self.read_some(deadline - time.perf_counter())
        return time.perf_counter() - self.started

    def quiet(self, ms=50):
        """Read until no output for `ms`; return bytes read."""
        total = 0
        while True:
            chunk = self.read_some(ms / 1000)
            if not chunk:
                return total
            total += len(chunk)

    def send(self, text):
        os.write(self.fd, text.encode() if isinstance(text, str) else text)

    def close(self):
        try:
            os.kill(self.pid, signal.SIGTERM)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)


def proc_cpu_and_switches(pid):
    """(CPU seconds, context switches) summed over every thread of pid."""
    ticks = os.sysconf("SC_CLK_TCK")
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    switches = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/status") as f:
            for line in f:
                if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                    switches += int(line.split()[1])
    return cpu, switches


def vm_hwm_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM"):
                return int(line.split()[1])
    return 0


def writes_per_key(p, keys):
    """Attach strace (when installed) and count the client's writes to the terminal per key."""
    if not shutil.which("strace"):
        return None
    log = tempfile.NamedTemporaryFile(prefix="bsmart-strace-", delete=False).name
    tracer = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=write,writev", "-o", log, "-p", str(p.pid)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)  # attach
    for i in range(keys):
        p.send("j" if i % 2 == 0 else "k")
        p.read_some(1.0)
        p.quiet(50)
    tracer.send_signal(signal.SIGINT)
    tracer.wait()
    with open(log) as f:
        count = sum(1 for line in f if re.search(r"\bwritev?\((1|2), ", line))
    os.unlink(log)
    return count / keys


def median_range(values, fmt="{:.1f}"):
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}-{fmt.format(max(values))}), n={len(values)}"


def start_server(binary, scale):
    port = free_port()
    server = subprocess.Popen(
        [binary, "serve", "--demo", "--bind", f"127.0.0.1:{port}", "--scale", str(scale)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise RuntimeError("the demo server did not start")


def silent_server():
    """A listener that accepts TCP connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    return listener, f"http://127.0.0.1:{listener.getsockname()[1]}"


# An empty config file, so the user's own config (theme, privacy mode) cannot change what is
# measured. (A missing one named by --config is an error since issue 9.)
EMPTY_CONFIG = tempfile.NamedTemporaryFile(prefix="bsmart-measure-", suffix=".toml", delete=False).name


def client_argv(binary, url):
    return [binary, "--url", url, "--idle-lock", "3600", "--config", EMPTY_CONFIG]


def first_frame(binary, url, runs, env):
    times = []
    for _ in range(runs):
        p = Pty(client_argv(binary, url), env)
        try:
            times.append(p.wait_for(b"Sign in") * 1000)
        finally:
            p.close()
    return times


def post_json(url, body, token=None):
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


def incident_total(url):
    """How many incidents the lead sees, asked of the server (the count the dashboard loads)."""
    api = url + "/api/v1"
    step = post_json(api + "/auth/login", {"email": LEAD_EMAIL, "password": LEAD_PASSWORD})
    # The client has just spent this 30 s step's code: wait for the next step.
    time.sleep(30 - time.time() % 30 + 0.5)
    token = post_json(api + "/auth/totp", {"challenge": step["challenge"], "code": totp(LEAD_SECRET)})["token"]
    request = urllib.request.Request(api + "/incidents?limit=1", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)["total"]


def sign_in(p):
    p.wait_for(b"Sign in")
    p.wait_for(b"Riverside")  # the setting's name has arrived
    p.send(LEAD_EMAIL + "\t" + LEAD_PASSWORD + "\r")
    p.wait_for(b"Two-factor")
    p.quiet(100)
    p.send(totp(LEAD_SECRET) + "\r")
    p.wait_for(b"Dashboard")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "bsmart"))
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--idle", type=float, default=10.0)
    ap.add_argument("--scale", type=int, default=1)
    ap.add_argument("--keys", type=int, default=60)
    args = ap.parse_args()
    env = dict(os.environ, TERM="xterm-256color", NO_COLOR="")
    env.pop("NO_COLOR")

    server, url = start_server(args.bin, args.scale)
    listener, silent_url = silent_server()
    try:
        live = first_frame(args.bin, url, args.runs, env)
        silent = first_frame(args.bin, silent_url, args.runs, env)
        print(f"P  launch to first frame, live server:        {median_range(live)} ms")
        print(f"P  launch to first frame, server never answers: {median_range(silent)} ms")

        p = Pty(client_argv(args.bin, url), env)
        try:
            sign_in(p)
            p.quiet(300)
            for key in "tt":  # 7 days -> 30 days -> all
                p.send(key)
                p.quiet(300)
            p.quiet(3000)  # every page of incidents loaded
            shown = incident_total(url)
            print(f"R  peak RSS after sign-in and all incidents ({shown} shown): {vm_hwm_kib(p.pid) / 1024:.1f} MiB")

            # Two windows: the first still holds the pooled connection's expiry (the client
            # drops an idle connection after 5 s, before the server's 10 s idle close); the
            # second is the steady state, which must be silent.
            for window in ("just after loading", "the next"):
                cpu0, sw0 = proc_cpu_and_switches(p.pid)
                time.sleep(args.idle)
                cpu1, sw1 = proc_cpu_and_switches(p.pid)
                print(f"I  idle {args.idle:.0f} s on the dashboard, {window}: "
                      f"CPU {1000 * (cpu1 - cpu0):.0f} ms, context switches {sw1 - sw0} (all threads)")

            first, last, sizes = [], [], []
            for i in range(args.keys):
                key = "j" if i % 2 == 0 else "k"
                t0 = time.perf_counter()
                p.send(key)
                chunk = p.read_some(1.0)
                t1 = time.perf_counter()
                size = len(chunk) + p.quiet(50)
                t2 = time.perf_counter() - 0.050
                first.append((t1 - t0) * 1000)
                last.append((t2 - t0) * 1000)
                sizes.append(size)
            print(f"K  key to first byte (row move): {median_range(first, '{:.2f}')} ms; "
                  f"p90 {sorted(first)[int(len(first) * 0.9)]:.2f} ms")
            print(f"K  key to last byte:             {median_range(last, '{:.2f}')} ms")
            print(f"W  bytes per row move: {median_range(sizes, '{:.0f}')}")
            writes = writes_per_key(p, 20)
            if writes is not None:
                print(f"W  write() calls to the terminal per key press (one frame each): {writes:.2f}")
        finally:
            p.close()
    finally:
        listener.close()
        server.terminate()
        server.wait()
        os.unlink(EMPTY_CONFIG)


if __name__ == "__main__":
    sys.exit(main())
