//! SECURITY.md 35 and 36 by construction: every reply type the client decodes is registered
//! (`client::api::replies`), and for each one this property test sends a sample back with
//! hostile text around **every** string of the JSON (keys too) and checks that the client
//! decodes exactly the clean sample. A field added to a reply later is covered without a line
//! here: the cleaning runs over every string as the JSON is decoded, whatever the type.

use bsmart::client::api::replies;
use bsmart::client::sanitize::is_forbidden;
use proptest::prelude::*;
use serde_json::Value;

/// Hostile text that cleaning removes completely: escape sequences (terminated), controls,
/// bidi controls and marks, invisible characters.
const REMOVABLE: &[&str] = &[
    "\x1b]0;pwned\x07",
    "\x1b[2J\x1b[H",
    "\x1b]52;c;aGVsbG8=\x07",
    "\x1b[6n",
    "\u{9b}31m",
    "\x1bPq#0;2;0;0;0\x1b\\",
    "\u{202E}",
    "\u{202A}\u{202B}\u{202C}\u{202D}",
    "\u{2066}\u{2067}\u{2068}\u{2069}",
    "\u{200E}\u{200F}\u{061C}",
    "\u{200B}\u{2060}\u{FEFF}",
    "\u{7}\u{7f}\u{85}\u{0}",
];

/// Wrap every string of `value` (and every object key) in `before` … `after`.
fn wrap_strings(value: &Value, before: &str, after: &str) -> Value {
    match value {
        Value::String(s) => Value::String(format!("{before}{s}{after}")),
        Value::Array(items) => Value::Array(items.iter().map(|v| wrap_strings(v, before, after)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (format!("{before}{k}{after}"), wrap_strings(v, before, after)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Replace every string of `value` with `text` (object keys kept).
fn replace_strings(value: &Value, text: &str) -> Value {
    match value {
        Value::String(_) => Value::String(text.to_string()),
        Value::Array(items) => Value::Array(items.iter().map(|v| replace_strings(v, text)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), replace_strings(v, text))).collect()),
        other => other.clone(),
    }
}

/// Every string in `value` (keys too).
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            out.push(k.clone());
            strings(v, out);
        }),
        _ => {}
    }
}

#[test]
fn every_reply_type_is_registered_with_a_sample() {
    let names: Vec<&str> = replies::samples().iter().map(|s| s.type_name).collect();
    for wanted in [
        "Setting",
        "AuthStep",
        "TotpEnrolment",
        "Me",
        "IncidentPage",
        "NotificationList",
        "ErrorBody",
    ] {
        assert!(names.contains(&wanted), "{wanted} is not registered: {names:?}");
    }
    for sample in replies::samples() {
        let back = (sample.through_type)(&serde_json::to_vec(&sample.json).unwrap()).unwrap();
        assert_eq!(back, sample.json, "{} does not round-trip", sample.type_name);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Hostile text around every string cleans away to exactly the sample.
    #[test]
    fn hostile_text_around_every_string_of_every_reply_is_removed(
        before in prop::sample::select(REMOVABLE),
        after in prop::sample::select(REMOVABLE),
    ) {
        for sample in replies::samples() {
            let hostile = wrap_strings(&sample.json, before, after);
            let body = serde_json::to_vec(&hostile).unwrap();
            let typed = (sample.through_type)(&body)
                .unwrap_or_else(|e| panic!("{}: {e}", sample.type_name));
            prop_assert_eq!(&typed, &sample.json, "{}", sample.type_name);
        }
    }

    /// Any text at all in every string position: what decodes has no forbidden character.
    #[test]
    fn no_reply_decodes_with_a_forbidden_character(text in any::<String>(), hostile in prop::sample::select(REMOVABLE)) {
        let text = format!("{hostile}{text}\x1b]0;unterminated");
        for sample in replies::samples() {
            let body = serde_json::to_vec(&replace_strings(&sample.json, &text)).unwrap();
            if let Ok(typed) = (sample.through_type)(&body) {
                let mut all = Vec::new();
                strings(&typed, &mut all);
                for s in all {
                    prop_assert!(!s.chars().any(|c| is_forbidden(c) && c != '\n'), "{}: {:?}", sample.type_name, s);
                }
            }
        }
    }
}
