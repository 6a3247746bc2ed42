//! SECURITY.md 45 with the real binary on a real pseudo-terminal: when the terminal goes away
//! without a signal (the pty closed, as when a tmux session is killed or a thin client's
//! connection drops and no SIGHUP reaches the client), the client must notice at once, wipe its
//! secrets and exit. Before, input errors were dropped and it spun at 76 % CPU on the dead
//! terminal, holding the session token and pupil data in memory.
#![cfg(unix)]

use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A pseudo-terminal of 80x24: (master, slave).
fn openpty() -> (OwnedFd, OwnedFd) {
    let (mut master, mut slave) = (0, 0);
    let size = libc::winsize {
        ws_row: 24,
        ws_col: 80,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two file descriptors into the integers we own; the name buffer
    // and termios are null (not wanted), and `size` outlives the call.
    let done = unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), &size) };
    assert_eq!(done, 0, "openpty failed");
    for fd in [master, slave] {
        // SAFETY: fcntl on descriptors we own. Close on exec: the child must not inherit the
        // master, or the terminal would never close for it.
        unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
    // SAFETY: both descriptors were just opened for us and are owned by nothing else.
    unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}

/// Read what the client writes until `needle` shows or `deadline` passes.
fn read_until(master: &OwnedFd, needle: &str, deadline: Duration) -> String {
    let mut file = std::fs::File::from(master.try_clone().unwrap());
    let end = Instant::now() + deadline;
    let mut seen = Vec::new();
    while Instant::now() < end {
        let mut poll = libc::pollfd {
            fd: master.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one pollfd we own, for 100 ms.
        let ready = unsafe { libc::poll(&mut poll, 1, 100) };
        if ready > 0 {
            let mut buf = [0u8; 4096];
            match file.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
            if String::from_utf8_lossy(&seen).contains(needle) {
                break;
            }
        }
    }
    String::from_utf8_lossy(&seen).into_owned()
}

/// A live server, so that once the setting is on screen nothing more is due: the client then
/// only waits for input, which is where a dead terminal made it spin.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_exits_at_once_when_its_terminal_closes_without_a_signal() {
    let server = bsmart::server::testing::TestServer::start().await;
    let url = server.url.clone();
    tokio::task::spawn_blocking(move || run_and_close(&url)).await.unwrap();
}

fn run_and_close(url: &str) {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    let (master, slave) = openpty();
    let stdio = || Stdio::from(slave.try_clone().unwrap());
    let mut command = Command::new(env!("CARGO_BIN_EXE_bsmart"));
    command
        .args(["--url", url, "--config"])
        .arg(&config)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path())
        .env("XDG_DATA_HOME", home.path())
        .env("TERM", "xterm-256color")
        .stdin(stdio())
        .stdout(stdio())
        .stderr(stdio());
    // SAFETY: setsid is async-signal-safe. A new session without a controlling terminal:
    // closing the pty then sends the client no SIGHUP, only a dead input.
    unsafe {
        command.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let mut child = command.spawn().expect("the client starts");
    drop(slave);
    let first = read_until(&master, "Riverside", Duration::from_secs(20));
    assert!(
        first.contains("Riverside"),
        "no sign-in screen with the setting: {first:?}"
    );
    // Let the last frame go out: from here on, nothing is due but a key.
    std::thread::sleep(Duration::from_millis(300));
    drop(master);
    let end = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > end {
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    assert!(
        status.is_some(),
        "the client kept running after its terminal closed (it spins on a dead terminal)"
    );
}
