//! Bulk create from a CSV file: the admin types its path (`~` expanded), the client reads it
//! (at most 1 MiB of UTF-8), the server says per line what would happen (a dry run), and on
//! `y` it is sent for real; the accounts made and their temporary passwords are then shown
//! once (see `once`).

use std::io::Read;
use std::path::PathBuf;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use zeroize::Zeroizing;

use crate::client::screens::{Ctx, Note};
use crate::client::widgets::popup;
use crate::client::widgets::text_field::TextField;
use crate::wire::ImportReport;

/// The most a file may weigh (the server's limit too).
pub const MAX_BYTES: u64 = 1024 * 1024;

/// Where the import is.
pub enum Stage {
    /// Typing the path.
    Path,
    /// The dry run is on its way.
    Checking,
    /// What would happen, waiting for `y`.
    Review(ImportReport),
    /// Sent for real.
    Sending,
}

/// The import's state. The file's text is wiped when dropped (it names staff).
pub struct Import {
    /// The file's path.
    pub path: TextField,
    /// Why the file was refused, or what the server said.
    pub note: Option<Note>,
    /// Where it is.
    pub stage: Stage,
    /// The text read (sent again for real after the dry run).
    pub csv: Zeroizing<String>,
    /// Rows scrolled down in the review.
    pub scroll: u16,
}

impl std::fmt::Debug for Import {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Import {{ bytes: {} }}", self.csv.len())
    }
}

impl Import {
    /// In the review: whether a line has a problem (then nothing can be created); `None`
    /// before the server has checked the file.
    pub fn refused(&self) -> Option<bool> {
        match &self.stage {
            Stage::Review(report) => Some(report.rows.iter().any(|r| r.problem.is_some())),
            _ => None,
        }
    }
}

impl Default for Import {
    fn default() -> Self {
        Import {
            path: TextField::plain("CSV file (name,email,role), e.g. ~/staff.csv"),
            note: None,
            stage: Stage::Path,
            csv: Zeroizing::new(String::new()),
            scroll: 0,
        }
    }
}

/// `~` or `~/…` at the start of `path` is the home folder.
pub fn expand(path: &str, home: Option<PathBuf>) -> PathBuf {
    match (path.strip_prefix('~'), home) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            home.join(rest.trim_start_matches('/'))
        }
        _ => PathBuf::from(path),
    }
}

/// The text of the file at `path` (typed: `~` expanded), or a sentence saying what to do.
pub fn read(path: &str) -> Result<Zeroizing<String>, String> {
    let path = path.trim();
    if path.is_empty() {
        return Err("Type the path of the CSV file, e.g. ~/staff.csv.".into());
    }
    let full = expand(path, std::env::var_os("HOME").map(PathBuf::from));
    let file = std::fs::File::open(&full).map_err(|e| format!("Could not open {path}: {e}. Check the path."))?;
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("Could not read {path}: {e}."))?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(format!("{path} is larger than 1 MiB: split it into smaller files."));
    }
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| format!("{path} is not UTF-8 text: save it as \"CSV UTF-8\" and try again."))?;
    if text.trim().is_empty() {
        return Err(format!("{path} is empty: it needs a header row name,email,role and a row per account."));
    }
    Ok(Zeroizing::new(text.to_string()))
}

impl Import {
    /// Draw it over `area`.
    pub fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        f.render_widget(Clear, area);
        let block = ctx.block("Bulk create from CSV").border_style(ctx.theme.focus());
        let inner = block.inner(area);
        f.render_widget(block, area);
        let rows = Layout::vertical([Constraint::Length(3), Constraint::Length(2), Constraint::Min(0)]).split(inner);
        let typing = matches!(self.stage, Stage::Path);
        self.path.render(f, rows[0], typing, ctx.theme, ctx.glyphs);
        popup::note(f, rows[1], self.note.as_ref(), ctx.theme, ctx.glyphs);
        let lines = match &self.stage {
            Stage::Path => vec![Line::from(Span::styled(
                "Enter checks the file: nothing is created until you confirm what it would do.",
                ctx.theme.dim(),
            ))],
            Stage::Checking => vec![Line::from("Checking the file…")],
            Stage::Sending => vec![Line::from("Creating the accounts…")],
            Stage::Review(report) => review_lines(report, ctx),
        };
        f.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: false }).scroll((self.scroll, 0)),
            rows[2],
        );
    }
}

/// Per line what would happen, problems in the error style, and what `y` does.
fn review_lines(report: &ImportReport, ctx: &Ctx<'_>) -> Vec<Line<'static>> {
    let problems = report.rows.iter().filter(|r| r.problem.is_some()).count();
    let mut lines = vec![Line::from(Span::styled(
        match problems {
            0 => format!(
                "{} accounts would be created: y creates them, n or Esc creates nothing.",
                report.rows.len()
            ),
            n => format!(
                "{n} of {} lines have a problem, so nothing would be created: fix the file, then Esc and Enter check it again.",
                report.rows.len()
            ),
        },
        if problems == 0 { ctx.theme.ok() } else { ctx.theme.error() },
    ))];
    for row in &report.rows {
        let role = row.role.map_or("?", |r| r.label());
        let text = format!("line {}: {} <{}> {role}", row.line, row.display_name, row.email);
        lines.push(match &row.problem {
            Some(problem) => Line::from(Span::styled(format!("{text}: {problem}"), ctx.theme.error())),
            None => Line::from(format!("{text}: would be created")),
        });
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tilde_is_the_home_folder_and_nothing_else_is_touched() {
        let home = Some(PathBuf::from("/home/ann"));
        assert_eq!(expand("~/staff.csv", home.clone()), PathBuf::from("/home/ann/staff.csv"));
        assert_eq!(expand("~", home.clone()), PathBuf::from("/home/ann"));
        assert_eq!(expand("~bob/x.csv", home.clone()), PathBuf::from("~bob/x.csv"));
        assert_eq!(expand("/tmp/x.csv", home), PathBuf::from("/tmp/x.csv"));
        assert_eq!(expand("~/x.csv", None), PathBuf::from("~/x.csv"));
    }

    #[test]
    fn too_large_not_utf8_empty_and_missing_files_are_refused_with_what_to_do() {
        let dir = std::env::temp_dir().join(format!("bsmart-import-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, bytes: &[u8]| {
            let p = dir.join(name);
            std::fs::write(&p, bytes).unwrap();
            p.to_string_lossy().into_owned()
        };
        let big = write("big.csv", &vec![b'a'; (MAX_BYTES + 1) as usize]);
        assert!(read(&big).unwrap_err().contains("larger than 1 MiB"));
        let exact = write("exact.csv", &vec![b'a'; MAX_BYTES as usize]);
        assert_eq!(read(&exact).unwrap().len(), MAX_BYTES as usize, "1 MiB itself is taken");
        let latin = write("latin.csv", b"name,email,role\nZo\xeb,z@x.test,staff\n");
        assert!(read(&latin).unwrap_err().contains("not UTF-8"));
        let empty = write("empty.csv", b"  \n");
        assert!(read(&empty).unwrap_err().contains("is empty"));
        assert!(read("/nonexistent/staff.csv").unwrap_err().contains("Check the path"));
        assert!(read("  ").unwrap_err().contains("Type the path"));
        let good = write("good.csv", "name,email,role\nZoë,z@x.test,staff\n".as_bytes());
        assert!(read(&good).unwrap().contains("Zoë"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
