//! Remembering the setting's identity per server URL (SECURITY.md 33, DESIGN "warns loudly").
//!
//! A small JSON file in the data directory maps each server URL to the `Setting.id` first seen
//! there. Nothing else is stored in it: no user, no token, no pupil data. When the id at a URL
//! changes, the sign-in screen shows a loud warning; the new id is recorded only after a
//! successful sign-in (the user chose to trust it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The default file: `<data dir>/known_settings.json`.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("app", "bsmart", "bsmart").map(|d| d.data_dir().join("known_settings.json"))
}

/// What the file says about a URL's setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Known {
    /// First time at this URL (now recorded).
    New,
    /// The same setting as before.
    Same,
    /// A different setting answered at this URL.
    Changed,
}

/// The remembered map: empty when there is no file yet, `None` when a file is there but cannot
/// be read or parsed (then nothing may be trusted silently).
fn read(path: &Path) -> Option<BTreeMap<String, String>> {
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes).ok(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(BTreeMap::new()),
        Err(_) => None,
    }
}

/// Write the map atomically: the directory is created private (0700), the file is written
/// private (0600) to `<file>.tmp` and renamed over the old one, so a crash never leaves a
/// half-written file (which would then read as a change). Failures are ignored: the next
/// start simply asks again.
fn write(path: &Path, map: &BTreeMap<String, String>) {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        let _ = builder.create(dir);
    }
    let Ok(text) = serde_json::to_vec_pretty(map) else {
        return;
    };
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(".tmp");
    let tmp = PathBuf::from(tmp_name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(&tmp)
        .and_then(|mut f| f.write_all(&text).and_then(|()| f.sync_all()));
    if written.is_ok() {
        let _ = std::fs::rename(&tmp, path);
    } else {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// Compare `id` with what is remembered for `url`; remember it if the URL is new. A file that
/// exists but cannot be read or parsed answers [`Known::Changed`] (the loud warning), never
/// [`Known::New`]: a damaged or tampered file must not make a new server trusted silently.
pub fn check(path: Option<&Path>, url: &str, id: &str) -> Known {
    let Some(path) = path else { return Known::New };
    let Some(mut map) = read(path) else {
        return Known::Changed;
    };
    match map.get(url) {
        Some(old) if old == id => Known::Same,
        Some(_) => Known::Changed,
        None => {
            map.insert(url.to_owned(), id.to_owned());
            write(path, &map);
            Known::New
        }
    }
}

/// Record `id` for `url` (after the user signed in despite a warning).
pub fn accept(path: Option<&Path>, url: &str, id: &str) {
    if let Some(path) = path {
        // An unreadable file is replaced: the user has just chosen to trust this setting.
        let mut map = read(path).unwrap_or_default();
        map.insert(url.to_owned(), id.to_owned());
        write(path, &map);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_and_warns_on_change() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/known.json");
        assert_eq!(check(Some(&p), "https://a.example/", "id-1"), Known::New);
        assert_eq!(check(Some(&p), "https://a.example/", "id-1"), Known::Same);
        assert_eq!(check(Some(&p), "https://a.example/", "id-2"), Known::Changed);
        accept(Some(&p), "https://a.example/", "id-2");
        assert_eq!(check(Some(&p), "https://a.example/", "id-2"), Known::Same);
        assert_eq!(check(None, "u", "x"), Known::New);
    }

    #[test]
    fn a_damaged_file_warns_and_is_never_trusted_silently() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("known.json");
        std::fs::write(&p, b"{not json").unwrap();
        assert_eq!(check(Some(&p), "https://a.example/", "id-1"), Known::Changed);
        assert_eq!(
            std::fs::read(&p).unwrap(),
            b"{not json",
            "nothing recorded on a warning"
        );
        accept(Some(&p), "https://a.example/", "id-1");
        assert_eq!(check(Some(&p), "https://a.example/", "id-1"), Known::Same);
    }

    #[cfg(unix)]
    #[test]
    fn the_file_and_its_directory_are_private_and_no_temporary_file_is_left() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("data");
        let p = sub.join("known.json");
        assert_eq!(check(Some(&p), "https://a.example/", "id-1"), Known::New);
        let mode = |q: &Path| std::fs::metadata(q).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&sub), 0o700);
        assert_eq!(mode(&p), 0o600);
        let names: Vec<_> = std::fs::read_dir(&sub)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("known.json")]);
    }
}
