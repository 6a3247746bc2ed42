//! The layers point one way (ARCHITECTURE.md, "Layers"): the entry point (`cli`, `demo`) sits
//! above the client and the server, which never import each other nor the entry point; and a
//! pupil's full name is read in one place of the client only (its privacy function). Checked on
//! the source, so a new import that breaks a rule fails here.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// True when `code` holds `path` as a whole path (`crate::cli` but not `crate::client`).
fn mentions(code: &str, path: &str) -> bool {
    code.match_indices(path).any(|(at, _)| {
        !code[at + path.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// Lines of `src/<dir>` that mention any of `forbidden`, as `file:line: text`.
fn offending(dir: &str, forbidden: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(dir);
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if forbidden.iter().any(|f| mentions(code, f)) {
                found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    found
}

#[test]
fn the_client_never_imports_the_server_nor_the_entry_point() {
    let found = offending(
        "client",
        &["crate::server", "crate::cli", "crate::demo", "bsmart::server"],
    );
    assert!(
        found.is_empty(),
        "the client reaches up or across:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_server_never_imports_the_client_nor_the_entry_point() {
    let found = offending(
        "server",
        &["crate::client", "crate::cli", "crate::demo", "crate::config"],
    );
    assert!(
        found.is_empty(),
        "the server reaches up or across:\n{}",
        found.join("\n")
    );
}

#[test]
fn only_the_privacy_function_reads_a_full_name_in_the_client() {
    let found: Vec<String> = offending("client", &[".unmasked()"])
        .into_iter()
        .filter(|l| !l.contains("src/client/privacy.rs"))
        .collect();
    assert!(
        found.is_empty(),
        "a name is drawn without the privacy function:\n{}",
        found.join("\n")
    );
}
