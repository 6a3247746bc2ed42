//! Downloads the user asked for (an incident or a Smart Plan as Markdown): one file written
//! into the configured folder (`export_dir`, by default the Downloads folder, else the home
//! directory).
//!
//! A download holds a child's record, so the file is made the way a secret would be:
//! - created with mode 0600 (only its owner may read it), and with `create_new`, so it never
//!   replaces a file already there (nor follows a link planted where it would go): a second
//!   download of the same record is "besmart-10281 (2).md";
//! - its name is the server's with any directory part, control character or leading dot taken
//!   out, so it lands in the folder and is visible there;
//! - its text passes through the sanitiser, with tabs kept as spaces: no control character but
//!   `\n` reaches the file (a terminal that later `cat`s it runs no escape sequence).

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use super::sanitize;

/// The file name `name` made safe: its last component, cleaned, without leading dots or
/// separators; `fallback` when nothing is left.
pub fn safe_name(name: &str, fallback: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean = sanitize::clean_line(last);
    let clean = clean.trim().trim_start_matches('.').trim();
    if clean.is_empty() {
        fallback.to_string()
    } else {
        clean.to_string()
    }
}

/// `stem (n).ext` for the `n`th try (`n` 1 is the name itself).
fn numbered(name: &str, n: u32) -> String {
    if n <= 1 {
        return name.to_string();
    }
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem} ({n}).{ext}"),
        _ => format!("{name} ({n})"),
    }
}

/// Write `content` (cleaned) to a new file named after `name` in `dir`, never replacing one:
/// answers the path written.
pub fn save(dir: &Path, name: &str, content: &str) -> std::io::Result<PathBuf> {
    let name = safe_name(name, "bsmart-export.md");
    let text = sanitize::clean(content);
    for n in 1..=999 {
        let path = dir.join(numbered(&name, n));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&path) {
            Ok(mut file) => {
                file.write_all(text.as_bytes())?;
                file.sync_all()?;
                return Ok(path);
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        ErrorKind::AlreadyExists,
        "999 files of that name are already there",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_download_is_0600_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let first = save(dir.path(), "besmart-10281.md", "# one").unwrap();
        let second = save(dir.path(), "besmart-10281.md", "# two").unwrap();
        assert_eq!(first, dir.path().join("besmart-10281.md"));
        assert_eq!(second, dir.path().join("besmart-10281 (2).md"));
        assert_eq!(std::fs::read_to_string(&first).unwrap(), "# one");
        assert_eq!(std::fs::read_to_string(&second).unwrap(), "# two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for path in [&first, &second] {
                let mode = std::fs::metadata(path).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "{path:?}");
            }
        }
    }

    #[test]
    fn control_characters_and_directory_parts_are_taken_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = save(
            dir.path(),
            "../../etc/.\u{1b}[31mpasswd\u{202e}.md",
            "a\u{1b}]0;pwned\u{7}b\tc\r\nd\u{202e}e\u{0}",
        )
        .unwrap();
        assert_eq!(path, dir.path().join("passwd.md"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "ab c\nde");
        assert!(text.chars().all(|c| c == '\n' || !c.is_control()));
        assert_eq!(safe_name("///", "x.md"), "x.md");
        assert_eq!(numbered("plan", 3), "plan (3)");
    }
}
