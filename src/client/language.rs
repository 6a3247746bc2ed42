//! The language check ("Emotive Language Scan"): finds words and phrases in an incident report
//! that blame or judge a child rather than describe what happened, each with a suggestion of
//! factual, child-centred wording. Offline, and it never changes the text.
//!
//! The words come from `assets/language-lexicon.toml` (built in; its header documents the
//! format) and, optionally, a setting's own file in the same format (the `language_lexicon`
//! setting of the config file), which adds entries, replaces a built-in suggestion or switches
//! a built-in phrase off.
//!
//! Matching: capitals ignored (Unicode lower case), whole words only (a match must not have a
//! letter or digit just before or after it), any run of white space or hyphens between words
//! equal to one space, curly and straight apostrophes equal; of overlapping matches the
//! leftmost, then the longest, wins. The text is lowered into a normalised copy with a map
//! from each of its bytes back to the original, and one Aho-Corasick automaton searches it, so
//! a check costs microseconds, not milliseconds, at every key press.
//!
//! [`highlight`] cuts one line of the text into spans with the findings styled, so that a form
//! can draw them without knowing the lexicon.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, Input, MatchKind};
use ratatui::style::Style;
use ratatui::text::Span;
use serde::Deserialize;

/// The built-in lexicon.
const BUNDLED: &str = include_str!("../../assets/language-lexicon.toml");

/// The longest suggestion allowed, in characters: one a teacher reads in three seconds.
pub const MAX_SUGGESTION_CHARS: usize = 90;

/// The largest setting's file read (a lexicon of thousands of entries is far smaller).
const MAX_FILE_BYTES: u64 = 1 << 20;

/// A finding: where in the text, what was matched, what to write instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The byte range in the checked text, on char boundaries.
    pub range: Range<usize>,
    /// The lexicon's entry, as written in the lexicon (e.g. "attention-seeking").
    pub phrase: String,
    /// What to write instead.
    pub suggestion: String,
}

/// Why a lexicon file was refused: the line (1-based, when known) and what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}", .line.map(|l| format!("line {l}: ")).unwrap_or_default(), .message)]
pub struct LexiconError {
    /// The line of the file that is wrong.
    pub line: Option<usize>,
    /// What is wrong and what to do, as a sentence for staff.
    pub message: String,
}

/// One entry: the phrase as written and its suggestion.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    phrase: String,
    suggestion: String,
}

/// The words and phrases to look for, with a search automaton over their normalised forms.
#[derive(Debug, Clone)]
pub struct Lexicon {
    /// In the automaton's pattern order.
    entries: Vec<Entry>,
    /// The normalised phrase of each entry, and its index.
    index: HashMap<String, usize>,
    automaton: AhoCorasick,
}

/// A lexicon file's shape.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconFile {
    #[serde(default)]
    phrases: std::collections::BTreeMap<String, toml::Spanned<String>>,
}

static BUNDLED_LEXICON: LazyLock<Lexicon> = LazyLock::new(|| {
    let empty = Lexicon::from_entries(Vec::new()).unwrap_or_else(|_| unreachable!("no patterns"));
    // The test `the_bundled_lexicon_parses_with_60_entries` proves this never falls back.
    empty.with_extension(BUNDLED).unwrap_or_else(|_| {
        debug_assert!(false, "assets/language-lexicon.toml must parse");
        Lexicon::from_entries(Vec::new()).unwrap_or_else(|_| unreachable!("no patterns"))
    })
});

impl Lexicon {
    /// The built-in lexicon (`assets/language-lexicon.toml`), parsed once.
    pub fn bundled() -> Lexicon {
        BUNDLED_LEXICON.clone()
    }

    /// This lexicon with a setting's own file added: its entries are added, an entry with the
    /// same phrase (capitals, hyphens and spaces aside) replaces the suggestion, and an empty
    /// suggestion switches the phrase off.
    pub fn with_extension(self, text: &str) -> Result<Lexicon, LexiconError> {
        let file: LexiconFile = toml::from_str(text).map_err(|e| LexiconError {
            line: e.span().map(|s| line_of(text, s.start)),
            message: format!(
                "{}; write one `\"phrase\" = \"suggestion\"` a line under [phrases]",
                e.message().trim().replace('\n', "; ")
            ),
        })?;
        let mut items: Vec<(String, toml::Spanned<String>)> = file.phrases.into_iter().collect();
        items.sort_by_key(|(_, v)| v.span().start);
        let mut entries = self.entries;
        let mut index = self.index;
        let mut seen: HashMap<String, (String, usize)> = HashMap::new();
        for (phrase, value) in items {
            let line = line_of(text, value.span().start);
            let wrong = |message: String| LexiconError {
                line: Some(line),
                message,
            };
            let suggestion = value.into_inner().trim().to_string();
            let key = normalise_phrase(&phrase);
            if !key.chars().any(char::is_alphanumeric) {
                return Err(wrong(format!(
                    "the phrase \"{phrase}\" has no letter or digit; write the words to look for"
                )));
            }
            if let Some((other, other_line)) = seen.get(&key) {
                return Err(wrong(format!(
                    "\"{phrase}\" is the same phrase as \"{other}\" on line {other_line} \
                     (capitals, hyphens and spaces count as equal); keep one"
                )));
            }
            seen.insert(key.clone(), (phrase.clone(), line));
            let chars = suggestion.chars().count();
            if chars > MAX_SUGGESTION_CHARS {
                return Err(wrong(format!(
                    "the suggestion for \"{phrase}\" is {chars} characters; shorten it to \
                     {MAX_SUGGESTION_CHARS} or fewer"
                )));
            }
            match (index.get(&key).copied(), suggestion.is_empty()) {
                (Some(i), false) => entries[i] = Entry { phrase, suggestion },
                (Some(i), true) => {
                    entries.remove(i);
                    index.remove(&key);
                    for slot in index.values_mut() {
                        if *slot > i {
                            *slot -= 1;
                        }
                    }
                }
                (None, false) => {
                    index.insert(key, entries.len());
                    entries.push(Entry { phrase, suggestion });
                }
                (None, true) => {
                    return Err(wrong(format!(
                        "\"{phrase}\" has an empty suggestion, which switches a built-in phrase \
                         off, but it is not one; write a suggestion or remove the line"
                    )));
                }
            }
        }
        Lexicon::from_entries(entries).map_err(|message| LexiconError { line: None, message })
    }

    /// The built-in lexicon and, if given, a setting's file on top (see
    /// [`with_extension`](Self::with_extension)). The error names the file and the line, and
    /// says what to do.
    pub fn load(extra: Option<&Path>) -> Result<Lexicon, String> {
        let lexicon = Lexicon::bundled();
        let Some(path) = extra else {
            return Ok(lexicon);
        };
        let shown = path.display();
        let fix = "check the language_lexicon setting in the config file";
        let size =
            std::fs::metadata(path).map_err(|e| format!("cannot read the language lexicon {shown}: {e} ({fix})"))?;
        if size.len() > MAX_FILE_BYTES {
            return Err(format!(
                "the language lexicon {shown} is larger than 1 MB; is it the right file? ({fix})"
            ));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the language lexicon {shown}: {e} ({fix})"))?;
        lexicon.with_extension(&text).map_err(|e| {
            format!(
                "the language lexicon {shown} is not valid: {e} (fix the file, or remove \
                 language_lexicon from the config file to use the built-in one)"
            )
        })
    }

    /// The findings in `text`, in text order, never overlapping (leftmost, then longest).
    pub fn check(&self, text: &str) -> Vec<Finding> {
        let mut findings = Vec::new();
        if self.entries.is_empty() || text.is_empty() {
            return findings;
        }
        let normal = Normalised::new(text);
        let hay = normal.text.as_str();
        let mut at = 0;
        let mut done = 0; // the end of the last finding, in `text`
        while at < hay.len() {
            let Some(found) = self.automaton.find(Input::new(hay).span(at..hay.len())) else {
                break;
            };
            let (start, end) = (found.start(), found.end());
            let whole = !ends_in_word(&hay[..start]) && !starts_in_word(&hay[end..]);
            let from = normal.source[start];
            if whole && from >= done {
                let last = normal.source[end - 1];
                let to = last + text[last..].chars().next().map_or(0, char::len_utf8);
                let entry = &self.entries[found.pattern().as_usize()];
                findings.push(Finding {
                    range: from..to,
                    phrase: entry.phrase.clone(),
                    suggestion: entry.suggestion.clone(),
                });
                done = to;
                at = end;
            } else {
                // Not a whole word: a shorter or later phrase may still start inside it.
                at = start + hay[start..].chars().next().map_or(1, char::len_utf8);
            }
        }
        findings
    }

    /// How many phrases are looked for.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no phrase is looked for.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn from_entries(entries: Vec<Entry>) -> Result<Lexicon, String> {
        let patterns: Vec<String> = entries.iter().map(|e| normalise_phrase(&e.phrase)).collect();
        let index = patterns.iter().cloned().enumerate().map(|(i, p)| (p, i)).collect();
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .map_err(|e| format!("the lexicon is too large to search ({e}); remove some entries"))?;
        Ok(Lexicon {
            entries,
            index,
            automaton,
        })
    }
}

/// Split one line of the checked text into spans, the parts inside a finding in `style` and
/// the rest unstyled (so the line's own style shows through). `line_start` is the byte offset
/// of `line` in the whole text that `findings` (sorted, as [`Lexicon::check`] returns them)
/// were made from; a finding that runs over a line break is styled on both lines. An empty
/// line gives no span; a finding that does not fall on the line's char boundaries is ignored.
pub fn highlight<'a>(line: &'a str, line_start: usize, findings: &[Finding], style: Style) -> Vec<Span<'a>> {
    let line_end = line_start + line.len();
    let mut spans = Vec::new();
    let mut at = 0; // in `line`
    let first = findings.partition_point(|f| f.range.end <= line_start);
    for finding in &findings[first..] {
        if finding.range.start >= line_end {
            break;
        }
        let from = finding.range.start.max(line_start) - line_start;
        let to = finding.range.end.min(line_end) - line_start;
        if from < at || from >= to || !line.is_char_boundary(from) || !line.is_char_boundary(to) {
            continue;
        }
        if from > at {
            spans.push(Span::raw(&line[at..from]));
        }
        spans.push(Span::styled(&line[from..to], style));
        at = to;
    }
    if at < line.len() {
        spans.push(Span::raw(&line[at..]));
    }
    spans
}

/// The text lowered for matching, with the original byte each of its bytes came from.
struct Normalised {
    text: String,
    /// For each byte of `text`, the start of the original char it came from.
    source: Vec<usize>,
}

impl Normalised {
    fn new(original: &str) -> Normalised {
        let mut text = String::with_capacity(original.len());
        let mut source = Vec::with_capacity(original.len());
        let mut gap = false;
        for (i, c) in original.char_indices() {
            if is_gap(c) {
                if !gap {
                    text.push(' ');
                    source.push(i);
                    gap = true;
                }
                continue;
            }
            gap = false;
            let before = text.len();
            if c.is_ascii() {
                text.push(c.to_ascii_lowercase());
            } else if is_apostrophe(c) {
                text.push('\'');
            } else {
                text.extend(c.to_lowercase());
            }
            source.resize(text.len(), i);
            debug_assert!(text.len() > before);
        }
        Normalised { text, source }
    }
}

/// A phrase as the automaton looks for it.
fn normalise_phrase(phrase: &str) -> String {
    Normalised::new(phrase).text.trim_matches(' ').to_string()
}

/// White space and hyphens: any run of them between words is one space.
fn is_gap(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// Apostrophes and the marks typed for them.
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{2032}' | '`' | '\u{00B4}')
}

fn ends_in_word(before: &str) -> bool {
    before.chars().next_back().is_some_and(char::is_alphanumeric)
}

fn starts_in_word(after: &str) -> bool {
    after.chars().next().is_some_and(char::is_alphanumeric)
}

/// The 1-based line of byte `at` of `text`.
fn line_of(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    text.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1
}

static CURRENT: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();

/// The lexicon in use: the one [`install`]ed at start-up (the built-in one with the setting's
/// file), or the built-in one.
pub fn current() -> &'static Lexicon {
    CURRENT.get_or_init(Lexicon::bundled)
}

/// Use `lexicon` from now on (once, at start-up, before any form is drawn; later calls change
/// nothing).
pub fn install(lexicon: Lexicon) {
    let _ = CURRENT.set(lexicon);
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use ratatui::style::Modifier;

    use super::*;

    const REQUIRED: &[&str] = &[
        "kicked off",
        "naughty",
        "attention-seeking",
        "attention seeking",
        "refused to comply",
        "manipulative",
        "aggressive",
        "defiant",
        "rude",
        "lazy",
        "bad behaviour",
        "violent",
        "out of control",
        "meltdown",
        "tantrum",
        "kicking off",
        "mardy",
        "stroppy",
        "sulking",
        "disrespectful",
        "spoilt",
        "liar",
        "troublemaker",
        "bully",
        "went mental",
        "psycho",
        "vile",
        "evil",
        "feral",
        "threw a wobbly",
        "playing up",
        "winding up",
        "wound up",
        "no reason",
        "for no reason",
        "as usual",
        "always",
        "never",
    ];

    fn phrases(lexicon: &Lexicon, text: &str) -> Vec<String> {
        lexicon.check(text).into_iter().map(|f| f.phrase).collect()
    }

    fn matched<'t>(text: &'t str, findings: &[Finding]) -> Vec<&'t str> {
        findings.iter().map(|f| &text[f.range.clone()]).collect()
    }

    #[test]
    fn the_bundled_lexicon_parses_with_60_entries() {
        let empty = Lexicon::from_entries(Vec::new()).unwrap();
        let lexicon = empty
            .with_extension(BUNDLED)
            .expect("assets/language-lexicon.toml must parse");
        assert!(lexicon.len() >= 60, "{}", lexicon.len());
        assert!(!lexicon.is_empty());
        assert_eq!(Lexicon::bundled().len(), lexicon.len());
        for entry in &lexicon.entries {
            let n = entry.suggestion.chars().count();
            assert!(n > 0 && n <= MAX_SUGGESTION_CHARS, "{}: {n}", entry.phrase);
        }
    }

    #[test]
    fn every_required_phrase_is_found_in_a_sentence() {
        let lexicon = Lexicon::bundled();
        for phrase in REQUIRED {
            let text = format!("At 10:15 in maths, J {phrase} when asked to sit down.");
            let found = lexicon.check(&text);
            assert_eq!(found.len(), 1, "{phrase}: {found:?}");
            assert_eq!(&text[found[0].range.clone()], *phrase);
            assert!(!found[0].suggestion.is_empty());
        }
        let found = lexicon.check("He kicked off.");
        assert!(
            found[0].suggestion.starts_with("Describe what you saw and heard"),
            "{found:?}"
        );
    }

    #[test]
    fn capitals_line_breaks_hyphens_and_curly_apostrophes_match() {
        let lexicon = Lexicon::bundled();
        assert_eq!(phrases(&lexicon, "She Kicked Off at lunch"), ["kicked off"]);
        assert_eq!(phrases(&lexicon, "NAUGHTY"), ["naughty"]);
        let text = "he kicked\r\n   off and was out\tof \n control";
        let found = lexicon.check(text);
        assert_eq!(matched(text, &found), ["kicked\r\n   off", "out\tof \n control"]);
        assert_eq!(phrases(&lexicon, "attention seeking"), ["attention-seeking"]);
        assert_eq!(phrases(&lexicon, "Attention-Seeking"), ["attention-seeking"]);
        assert_eq!(phrases(&lexicon, "non compliant"), ["non-compliant"]);
        assert_eq!(
            phrases(&lexicon, "she couldn\u{2019}t care less"),
            ["couldn't care less"]
        );
        assert_eq!(phrases(&lexicon, "she couldn't care less"), ["couldn't care less"]);
    }

    #[test]
    fn a_phrase_inside_a_longer_word_is_not_found() {
        let lexicon = Lexicon::bundled();
        for text in [
            "a prudent choice",
            "crude",
            "rudely",
            "unnaughtyish",
            "evils",
            "nevermore",
            "bullying2",
        ] {
            let found = phrases(&lexicon, text);
            assert!(found.iter().all(|p| p == "rudely"), "{text}: {found:?}");
        }
        assert_eq!(phrases(&lexicon, "rude, rude!"), ["rude", "rude"]);
        assert_eq!(phrases(&lexicon, "(rude)"), ["rude"]);
        assert!(phrases(&lexicon, "rude2").is_empty());
    }

    #[test]
    fn overlapping_entries_give_the_longest() {
        let lexicon = Lexicon::bundled();
        assert_eq!(phrases(&lexicon, "hit out for no reason"), ["for no reason"]);
        assert_eq!(phrases(&lexicon, "there was no reason"), ["no reason"]);
        assert_eq!(phrases(&lexicon, "refused to comply again"), ["refused to comply"]);
        // A rejected longer match must not hide a shorter whole one inside it.
        assert_eq!(phrases(&lexicon, "xfor no reason"), ["no reason"]);
    }

    #[test]
    fn ranges_are_on_char_boundaries_in_multibyte_text() {
        let lexicon = Lexicon::bundled();
        let text = "😀 café: 他很 rude 😀, ÉVIL! then kicked\u{00A0}off 🙂 naïve";
        let found = lexicon.check(text);
        assert_eq!(matched(text, &found), ["rude", "kicked\u{00A0}off"]);
        for f in &found {
            assert!(text.is_char_boundary(f.range.start) && text.is_char_boundary(f.range.end));
        }
        // Non-ASCII capitals lower: "ÉVIL" is not "evil", but a Unicode word boundary holds.
        assert!(phrases(&lexicon, "évil").is_empty());
        assert_eq!(phrases(&lexicon, "Ünd EVIL"), ["evil"]);
        // A char that lowers to more bytes ('İ' to "i̇") keeps the map right.
        let text = "İİ rude İ";
        assert_eq!(matched(text, &lexicon.check(text)), ["rude"]);
    }

    #[test]
    fn an_extension_adds_overrides_and_switches_off() {
        let extension = "[phrases]\n\"off task\" = \"Say what they were doing instead\"\n\
                         \"Kicked-Off\" = \"Our wording\"\nalways = \"\"\n";
        let lexicon = Lexicon::bundled().with_extension(extension).unwrap();
        assert_eq!(lexicon.len(), Lexicon::bundled().len());
        let found = lexicon.check("he was off task and kicked off, always");
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].suggestion, "Say what they were doing instead");
        assert_eq!(
            (found[1].phrase.as_str(), found[1].suggestion.as_str()),
            ("Kicked-Off", "Our wording")
        );
        // Other entries still work after one is removed.
        assert_eq!(phrases(&lexicon, "never rude"), ["never", "rude"]);
        assert!(Lexicon::bundled().with_extension("").is_ok());
    }

    #[test]
    fn a_malformed_extension_names_the_line() {
        let cases = [
            ("[phrases]\n\"a\" = \"b\"\n\"unclosed = \"x\"\n", 3),
            ("[phrases]\nnaughty = 3\n", 2),
            ("[words]\n", 1),
            ("[phrases]\n\"ok\" = \"x\"\n\"--\" = \"y\"\n", 3),
            ("[phrases]\n\"off task\" = \"x\"\n\n\"Off-Task\" = \"y\"\n", 4),
            ("[phrases]\n\"zzz\" = \"\"\n", 2),
            (&format!("[phrases]\n\"x\" = \"{}\"\n", "a".repeat(91)), 2),
        ];
        for (text, line) in cases {
            let err = Lexicon::bundled().with_extension(text).unwrap_err();
            assert_eq!(err.line, Some(line), "{text}: {err}");
            assert!(err.to_string().starts_with(&format!("line {line}: ")), "{err}");
        }
        let dir = std::env::temp_dir().join(format!("bsmart-lexicon-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bad.toml");
        std::fs::write(&path, "[phrases]\nnaughty = \n").unwrap();
        let err = Lexicon::load(Some(&path)).unwrap_err();
        assert!(err.contains("bad.toml") && err.contains("line 2: "), "{err}");
        let err = Lexicon::load(Some(&dir.join("none.toml"))).unwrap_err();
        assert!(err.contains("language_lexicon"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(Lexicon::load(None).unwrap().len(), Lexicon::bundled().len());
    }

    #[test]
    fn highlight_styles_findings_line_by_line() {
        let lexicon = Lexicon::bundled();
        let text = "Sam was rude.\nThen kicked\noff, as usual";
        let found = lexicon.check(text);
        let style = Style::new().add_modifier(Modifier::UNDERLINED);
        let mut start = 0;
        let mut lines = Vec::new();
        for line in text.split('\n') {
            let spans = highlight(line, start, &found, style);
            assert_eq!(spans.iter().map(|s| s.content.as_ref()).collect::<String>(), line);
            lines.push(
                spans
                    .iter()
                    .map(|s| (s.content.to_string(), s.style == style))
                    .collect::<Vec<_>>(),
            );
            start += line.len() + 1;
        }
        let s = |t: &str, on| (t.to_string(), on);
        assert_eq!(lines[0], [s("Sam was ", false), s("rude", true), s(".", false)]);
        assert_eq!(lines[1], [s("Then ", false), s("kicked", true)]);
        assert_eq!(lines[2], [s("off", true), s(", ", false), s("as usual", true)]);
        assert!(highlight("", 0, &found, style).is_empty());
        // A wrong offset never panics.
        assert!(!highlight("é rude", 1, &found, style).is_empty());
    }

    proptest! {
        #[test]
        fn check_never_panics_and_ranges_are_ordered_and_in_bounds(
            text in "(\\PC|[ \n\t'’‐-]|rude|kicked off|no reason| for |İ|ß|😀){0,40}"
        ) {
            let lexicon = Lexicon::bundled();
            let copy = text.clone();
            let found = lexicon.check(&text);
            prop_assert_eq!(&text, &copy);
            let mut end = 0;
            for f in &found {
                prop_assert!(f.range.start >= end && f.range.start < f.range.end);
                prop_assert!(f.range.end <= text.len());
                prop_assert!(text.is_char_boundary(f.range.start) && text.is_char_boundary(f.range.end));
                end = f.range.end;
            }
            let mut start = 0;
            for line in text.split('\n') {
                let joined: String = highlight(line, start, &found, Style::new())
                    .iter().map(|s| s.content.as_ref()).collect();
                prop_assert_eq!(joined, line);
                start += line.len() + 1;
            }
        }

        #[test]
        fn arbitrary_strings_never_panic(text in any::<String>()) {
            let found = Lexicon::bundled().check(&text);
            for f in &found {
                prop_assert!(text.get(f.range.clone()).is_some());
            }
        }
    }
}
