//! Cleaning of every string that comes from the server or from a paste (SECURITY.md 35).
//!
//! ratatui 0.30 drops C0/C1 controls itself but still draws bidi overrides and zero-width
//! characters, and it draws the *rest* of an escape sequence (`]0;pwned`) as text. So every
//! string is cleaned here once, as the reply is decoded (`api::cleaned` runs [`clean_cow`] over
//! every string of the JSON on its way into the typed reply), before any `Span` can be built
//! from it:
//! - C0 controls are dropped, except `\n` (kept: a line break) and `\t` (turned into a space);
//! - DEL and C1 controls (U+0080–U+009F) are dropped;
//! - whole escape sequences are dropped: CSI (`ESC [`), OSC (`ESC ]`), DCS (`ESC P`), SOS
//!   (`ESC X`), PM (`ESC ^`), APC (`ESC _`), also when unterminated (to the end of the string),
//!   and two-character `ESC x` sequences;
//! - bidi controls U+202A–U+202E, U+2066–U+2069, the bidi marks U+200E, U+200F and U+061C, and
//!   the invisible U+200B, U+2060, U+FEFF are dropped; ZWJ (U+200D) and ZWNJ (U+200C) stay,
//!   because names in several scripts need them.

use std::borrow::Cow;

/// True for a character that must never reach the screen.
pub fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{061C}'
                | '\u{200B}'
                | '\u{2060}'
                | '\u{FEFF}'
        )
}

/// Clean one string as rule 35 says. `\n` survives; use [`clean_line`] for single-line input.
pub fn clean(input: &str) -> String {
    clean_cow(input).into_owned()
}

/// Clean a string for a single-line field: as [`clean`], with line breaks turned into spaces
/// (`\r\n` pairs into one space).
pub fn clean_line(input: &str) -> String {
    clean(&input.replace("\r\n", "\n")).replace('\n', " ")
}

/// [`clean_line`] for pasted text, which is often a password or a recovery code: every copy
/// made on the way is wiped when it is dropped.
pub fn clean_pasted(input: &str) -> zeroize::Zeroizing<String> {
    let joined = zeroize::Zeroizing::new(input.replace("\r\n", "\n"));
    let cleaned = zeroize::Zeroizing::new(clean(&joined));
    zeroize::Zeroizing::new(cleaned.replace('\n', " "))
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// After an ESC: drop the sequence it starts. A control character after the ESC (another
/// ESC, say) is not consumed: it starts its own sequence.
fn skip_escape(chars: &mut Chars<'_>) {
    let Some(&next) = chars.peek() else { return };
    if next.is_control() {
        return;
    }
    chars.next();
    match next {
        '[' => skip_csi(chars),
        ']' | 'P' | 'X' | '^' | '_' => skip_string(chars),
        // `ESC (`, `ESC )`, `ESC #`… take one more character (charset designation).
        '(' | ')' | '*' | '+' | '-' | '.' | '/' | '#' | '%' | ' ' if chars.peek().is_some_and(|c| !c.is_control()) => {
            chars.next();
        }
        // Any other `ESC x` is a two-character sequence.
        _ => {}
    }
}

/// Drop a CSI body: parameter and intermediate bytes, then one final byte (0x40–0x7E).
/// Stops early (keeping the character) at anything that cannot be part of a CSI.
fn skip_csi(chars: &mut Chars<'_>) {
    while let Some(&c) = chars.peek() {
        match c {
            '\u{30}'..='\u{3f}' | '\u{20}'..='\u{2f}' => {
                chars.next();
            }
            '\u{40}'..='\u{7e}' => {
                chars.next();
                return;
            }
            _ => return,
        }
    }
}

/// Drop a string sequence (OSC, DCS, SOS, PM, APC) up to its terminator: BEL, ST (`ESC \`) or
/// the C1 ST (U+009C). Unterminated: everything to the end is dropped.
fn skip_string(chars: &mut Chars<'_>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{07}' | '\u{9c}' => return,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                } else {
                    // ESC cancels the string and starts a new sequence, as in a terminal.
                    skip_escape(chars);
                }
                return;
            }
            _ => {}
        }
    }
}

/// [`clean`] without a copy when there is nothing to clean (almost every string a server sends).
/// The reply decoder runs every string of every reply through this
/// ([`crate::client::api::cleaned`]), so a field added to a reply later cannot escape it.
pub fn clean_cow(input: &str) -> Cow<'_, str> {
    if !input.chars().any(|c| is_forbidden(c) && c != '\n') {
        return Cow::Borrowed(input);
    }
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push('\n'),
            '\t' => out.push(' '),
            '\u{1b}' => skip_escape(&mut chars),
            // C1 introducers of string/CSI sequences: the 8-bit forms of ESC [ ] P X ^ _.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            c if is_forbidden(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_and_joiners_survive() {
        assert_eq!(clean("Ann Smith"), "Ann Smith");
        assert_eq!(clean("a\u{200D}b\u{200C}c"), "a\u{200D}b\u{200C}c");
        assert_eq!(clean("日本語 café"), "日本語 café");
    }

    #[test]
    fn c0_tab_newline_del_and_c1() {
        assert_eq!(clean("a\tb\nc\rd\u{7}e\u{0}f\u{7f}g\u{85}h"), "a b\ncdefgh");
        assert_eq!(clean_line("a\r\nb\nc"), "a b c");
    }

    #[test]
    fn whole_escape_sequences_are_dropped() {
        assert_eq!(clean("Ann\x1b[2J\x1b[HBell"), "AnnBell");
        assert_eq!(clean("\x1b]0;pwned\x07after"), "after");
        assert_eq!(clean("\x1b]52;c;aGVsbG8=\x07x"), "x");
        assert_eq!(clean("a\x1b[6nb"), "ab");
        assert_eq!(clean("\u{9b}31mX"), "X");
        assert_eq!(clean("\x1bPq#0;2;0;0;0\x1b\\done"), "done");
        assert_eq!(clean("\x1b_apc\x1b\\ok"), "ok");
        assert_eq!(clean("\x1b^pm\u{9c}ok"), "ok");
        assert_eq!(clean("\x1bXsos\x07ok"), "ok");
        assert_eq!(clean("name\x1b]0;unterminated title"), "name");
        assert_eq!(clean("trailing\x1b"), "trailing");
        assert_eq!(clean("\x1b(Bx\x1bcy"), "xy");
        // An ESC right after an ESC, or inside a string sequence, starts a new sequence.
        assert_eq!(clean("\x1b\x1b]0;pwned\x07ok"), "ok");
        assert_eq!(clean("\x1b]0;a\x1b]0;pwned\x07ok"), "ok");
        assert_eq!(clean("\x1b(\x1b]0;pwned\x07ok"), "ok");
    }

    #[test]
    fn bidi_and_invisible_characters_are_dropped() {
        let bidi: String = ('\u{202A}'..='\u{202E}')
            .chain('\u{2066}'..='\u{2069}')
            .chain(['\u{200E}', '\u{200F}', '\u{061C}'])
            .collect();
        assert_eq!(clean(&format!("a{bidi}b\u{200B}c\u{2060}d\u{FEFF}e")), "abcde");
    }

    #[test]
    fn clean_text_is_not_copied() {
        assert!(matches!(clean_cow("Ann Smith\nline two"), Cow::Borrowed(_)));
        assert_eq!(clean_cow("Ann\u{202e}"), Cow::<str>::Owned("Ann".into()));
        assert_eq!(clean_cow("a\tb"), "a b");
    }
}
