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

fn read(path: &Path) -> BTreeMap<String, String> {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

fn write(path: &Path, map: &BTreeMap<String, String>) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Ok(text) = serde_json::to_vec_pretty(map) {
        let _ = std::fs::write(path, text);
    }
}

/// Compare `id` with what is remembered for `url`; remember it if the URL is new.
pub fn check(path: Option<&Path>, url: &str, id: &str) -> Known {
    let Some(path) = path else { return Known::New };
    let mut map = read(path);
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
        let mut map = read(path);
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
}
