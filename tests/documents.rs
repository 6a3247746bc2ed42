//! The documents stay true to the code: every test SECURITY.md names as the proof of a rule
//! exists, and every source file SECURITY.md and ARCHITECTURE.md point to is there. A test
//! renamed or removed fails here instead of leaving a rule proved by nothing.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(root().join(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
}

/// Every `` `…` `` span of `text`.
fn code_spans(text: &str) -> impl Iterator<Item = &str> {
    text.split('`').skip(1).step_by(2)
}

/// A reference to a test, `tests/<file>.rs::<name>` or `src/<path>.rs::…::<name>`, split
/// into the file and the test's name (`None` for a whole file or a `*`).
fn test_reference(span: &str) -> Option<(&str, Option<&str>)> {
    if !(span.starts_with("tests/") || span.starts_with("src/")) || span.contains('<') {
        return None;
    }
    let (file, rest) = match span.split_once("::") {
        Some((file, rest)) => (file, Some(rest)),
        None => (span, None),
    };
    if !file.ends_with(".rs") {
        return None;
    }
    let name = rest.and_then(|r| r.rsplit("::").next()).filter(|n| *n != "*");
    Some((file, name))
}

#[test]
fn every_test_security_md_names_exists() {
    let text = read("SECURITY.md");
    let mut missing = Vec::new();
    let mut checked = 0;
    for span in code_spans(&text) {
        let Some((file, name)) = test_reference(span) else {
            continue;
        };
        let Ok(source) = std::fs::read_to_string(root().join(file)) else {
            missing.push(format!("{span}: no file {file}"));
            continue;
        };
        if let Some(name) = name {
            checked += 1;
            if !source.contains(&format!("fn {name}(")) {
                missing.push(format!("{span}: no test {name} in {file}"));
            }
        }
    }
    assert!(
        checked > 200,
        "only {checked} tests named: is SECURITY.md still the list?"
    );
    assert!(
        missing.is_empty(),
        "SECURITY.md names what is gone:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_source_file_the_architecture_names_exists() {
    let text = read("ARCHITECTURE.md");
    let missing: Vec<&str> = code_spans(&text)
        .filter(|s| s.ends_with(".rs") || s.ends_with('/'))
        .filter(|s| s.contains('/') && !s.contains([' ', '*']) && !s.contains("::"))
        // A path is from the repository, `src/`, or the client's or the server's folders, as the
        // text reads.
        .filter(|s| {
            !["", "src", "src/client", "src/client/screens", "src/server"]
                .iter()
                .any(|base| root().join(base).join(s).exists())
        })
        .collect();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names files that are not there: {missing:?}"
    );
}
