//! Printing: a plain-text printout piped to the configured spooler (`print_command`, e.g.
//! `["lp"]`). The program is run directly with its arguments, never through a shell, so no
//! part of a report can become a command; its output is not shown (it may echo the text), only
//! whether it took the printout and, when not, the first line of what it said.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use crate::client::sanitize;

/// How long the spooler may take to accept a printout before it is given up (and killed).
pub const PRINT_TIMEOUT: Duration = Duration::from_secs(30);

/// A printout for the spooler.
pub struct Printout {
    /// The program and its arguments.
    pub argv: Vec<String>,
    /// The file name to save it as when the spooler fails (so nothing is lost).
    pub filename: String,
    /// The text (cleaned before it is sent).
    pub text: String,
    /// What it holds, for the status line ("12 rows").
    pub what: String,
}

impl std::fmt::Debug for Printout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Printout({:?}, {} bytes)", self.argv.first(), self.text.len())
    }
}

/// Pipe `text` (cleaned of control characters) to `argv` and wait for it to finish, at most
/// [`PRINT_TIMEOUT`]. `Err` says in a sentence why the printout was not taken.
pub async fn send(argv: &[String], text: &str) -> Result<(), String> {
    let Some((program, args)) = argv.split_first() else {
        return Err("no print command is set".into());
    };
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("{program} could not be started ({e})"))?;
    let mut stdin = child.stdin.take().ok_or("the printer's input could not be opened")?;
    let text = sanitize::clean(text);
    let finished = tokio::time::timeout(PRINT_TIMEOUT, async move {
        // A spooler that stops reading early says why on stderr; its exit status tells.
        let written = stdin.write_all(text.as_bytes()).await;
        drop(stdin);
        let output = child.wait_with_output().await;
        (written, output)
    })
    .await
    .map_err(|_| format!("{program} did not finish within {} seconds", PRINT_TIMEOUT.as_secs()))?;
    let output = finished.1.map_err(|e| format!("{program} failed ({e})"))?;
    if output.status.success() {
        return finished
            .0
            .map_err(|e| format!("{program} did not take all of it ({e})"));
    }
    let said = String::from_utf8_lossy(&output.stderr);
    let said = sanitize::clean_line(said.lines().find(|l| !l.trim().is_empty()).unwrap_or(""));
    let said: String = said.trim().chars().take(200).collect();
    Err(match (output.status.code(), said.is_empty()) {
        (Some(code), true) => format!("{program} stopped with status {code}"),
        (Some(code), false) => format!("{program} stopped with status {code}: {said}"),
        (None, _) => format!("{program} was stopped by a signal"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|p| p.to_string()).collect()
    }

    #[tokio::test]
    async fn the_text_reaches_the_program_cleaned_and_its_failure_is_said() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("printed.txt");
        let command = argv(&["sh", "-c", &format!("cat > '{}'", out.display())]);
        send(&command, "Hall\u{1b}[2J \u{202e}x\nnext line\n").await.unwrap();
        let printed = std::fs::read_to_string(&out).unwrap();
        assert!(printed.contains("next line"), "{printed:?}");
        assert!(
            !printed.contains('\u{1b}') && !printed.contains('\u{202e}'),
            "{printed:?}"
        );

        let e = send(
            &argv(&["sh", "-c", "cat >/dev/null; echo 'lp: no such printer' >&2; exit 3"]),
            "x",
        )
        .await
        .unwrap_err();
        assert_eq!(e, "sh stopped with status 3: lp: no such printer");
        let e = send(&argv(&["/no/such/lp"]), "x").await.unwrap_err();
        assert!(e.starts_with("/no/such/lp could not be started"), "{e}");
    }

    #[tokio::test]
    async fn a_spooler_that_stops_reading_is_said_and_a_large_printout_is_not_stuck() {
        // `true` exits at once without reading: what it did not take is not called printed.
        let e = send(&argv(&["true"]), &"row\n".repeat(100_000)).await.unwrap_err();
        assert!(e.starts_with("true did not take all of it"), "{e}");
        send(&argv(&["sh", "-c", "wc -c >/dev/null"]), &"row\n".repeat(100_000))
            .await
            .unwrap();
    }
}
