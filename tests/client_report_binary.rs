//! Never lose a word (issue 11), with the real binaries: the client runs on a real
//! pseudo-terminal (80x24) against `bsmart serve --demo --db`, the teacher half writes an
//! incident report, and the client is killed with SIGKILL (no destructor, no terminal restore,
//! no last save). Started again and signed in, it offers the draft back, and resuming it shows
//! what was typed up to the last save: at most a few seconds of typing are missing.

#![cfg(unix)]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A child process killed (and reaped) when dropped, also when a test fails.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `bsmart serve --demo --db DB` on `port`, once it listens.
fn server(db: &Path, port: u16) -> Process {
    let child = Command::new(env!("CARGO_BIN_EXE_bsmart"))
        .args(["serve", "--demo", "--db"])
        .arg(db)
        .args(["--bind", &format!("127.0.0.1:{port}"), "--seed", "7"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let end = Instant::now() + Duration::from_secs(120);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < end, "the server never listened");
        std::thread::sleep(Duration::from_millis(50));
    }
    Process(child)
}

/// The client on a pseudo-terminal of 80x24, and the screen it draws (a vt100 model fed by a
/// thread reading the terminal's master side).
struct Client {
    process: Process,
    input: std::fs::File,
    screen: Arc<Mutex<vt100::Parser>>,
}

impl Client {
    fn start(port: u16, home: &Path) -> Client {
        let (mut master, mut slave) = (0, 0);
        let size = libc::winsize {
            ws_row: 24,
            ws_col: 80,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty writes two new descriptors into the two integers it is given.
        let opened = unsafe { libc::openpty(&mut master, &mut slave, std::ptr::null_mut(), std::ptr::null(), &size) };
        assert_eq!(opened, 0, "no pseudo-terminal");
        // SAFETY: both descriptors were just opened and are owned here alone.
        let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        let mut command = Command::new(env!("CARGO_BIN_EXE_bsmart"));
        command
            .args(["--url", &format!("http://127.0.0.1:{port}")])
            .env("HOME", home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("TERM", "xterm-256color")
            .env_remove("NO_COLOR")
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        // SAFETY: between fork and exec only async-signal-safe calls: a new session with the
        // terminal as its controlling terminal (as a shell would give it).
        unsafe {
            command.pre_exec(|| {
                libc::setsid();
                libc::ioctl(0, libc::TIOCSCTTY, 0);
                Ok(())
            });
        }
        let process = Process(command.spawn().expect("the client starts"));
        let input = std::fs::File::from(master);
        let mut output = input.try_clone().unwrap();
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZeroU16::new(24).unwrap(),
            std::num::NonZeroU16::new(80).unwrap(),
            0,
        )));
        let feed = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = output.read(&mut buf) {
                if n == 0 {
                    break;
                }
                feed.lock().unwrap().process(&buf[..n]);
            }
        });
        Client { process, input, screen }
    }

    fn text(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Wait until the screen shows `needle`.
    fn wait(&self, needle: &str) -> String {
        let end = Instant::now() + Duration::from_secs(30);
        loop {
            let text = self.text();
            if text.contains(needle) {
                return text;
            }
            assert!(Instant::now() < end, "never showed {needle:?}; the screen was:\n{text}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn keys(&mut self, bytes: &[u8]) {
        self.input.write_all(bytes).unwrap();
        self.input.flush().unwrap();
        std::thread::sleep(Duration::from_millis(150));
    }

    fn sign_in(&mut self) {
        // The demo accounts show once the setting has answered.
        self.wait("Demo accounts");
        self.keys(b"teacher@demo.test\r");
        self.keys(b"demo-teacher-passphrase\r");
    }

    fn kill(mut self) {
        // SIGKILL: nothing of the client runs again.
        let _ = self.process.0.kill();
        let _ = self.process.0.wait();
    }
}

#[test]
fn a_client_killed_mid_form_offers_the_draft_back_with_at_most_seconds_missing() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let _server = server(&dir.path().join("bsmart.db"), port);

    let mut client = Client::start(port, dir.path());
    client.sign_in();
    client.wait("Dashboard");
    client.keys(b"r");
    client.keys(b"i");
    client.wait("Page 1 of 3");
    // Who: the first individual of the picker.
    client.keys(b"\r");
    std::thread::sleep(Duration::from_secs(1));
    client.keys(b"\r");
    // Location: the first one. Then to "What happened".
    client.keys(b"\t\t\r\r\t");
    client.keys(b"Left the lesson without asking and walked to the hall.");
    // The draft is saved a few seconds after typing.
    std::thread::sleep(Duration::from_secs(5));
    client.wait("Draft saved at");
    // More typing, then the client dies before the next save.
    client.keys(b" Then came back.");
    client.kill();

    let mut again = Client::start(port, dir.path());
    again.sign_in();
    again.wait("Resume the incident report you started at");
    again.keys(b"\r");
    let text = again.wait("Resumed from your draft");
    assert!(text.contains("Left the lesson without asking"), "{text}");
    assert!(
        !text.contains("Then came back"),
        "the last seconds are all that is missing: {text}"
    );
}
