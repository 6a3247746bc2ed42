//! Fitting text into a number of terminal columns: on one line, cut at a whole character
//! (grapheme), and ending in "…" when anything was cut, so a cut is never mistaken for the
//! whole ("Disruption to learn…", not "Disruption to learn").

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::style::Style;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// The columns `text` takes.
pub fn width(text: &str) -> usize {
    if printable_ascii(text) {
        text.len()
    } else {
        UnicodeWidthStr::width(text)
    }
}

/// Only printable ASCII: every character is one byte and one column, and one grapheme.
fn printable_ascii(text: &str) -> bool {
    text.bytes().all(|b| (b' '..=b'~').contains(&b))
}

/// `text` on one line, at most `columns` wide; cut text ends in `ellipsis` (when even that does
/// not fit, as much of the ellipsis as does).
pub fn fit<'a>(text: &'a str, columns: usize, ellipsis: &str) -> Cow<'a, str> {
    let one_line: Cow<'a, str> = if text.contains(['\n', '\r']) {
        Cow::Owned(text.replace(['\n', '\r'], " "))
    } else {
        Cow::Borrowed(text)
    };
    if width(&one_line) <= columns {
        return one_line;
    }
    let room = columns.saturating_sub(width(ellipsis));
    if room == 0 {
        return Cow::Owned(ellipsis.chars().take(columns).collect());
    }
    if printable_ascii(&one_line) {
        // Most names and types: cut by bytes.
        return Cow::Owned(format!("{}{ellipsis}", &one_line[..room]));
    }
    let mut out = String::new();
    let mut used = 0;
    for g in one_line.graphemes(true) {
        let w = width(g);
        if used + w > room {
            break;
        }
        used += w;
        out.push_str(g);
    }
    out.push_str(ellipsis);
    Cow::Owned(out)
}

/// `Buffer::set_stringn` with a fast path for printable ASCII, which is one cell a byte and
/// needs no grapheme segmentation (that was the largest cost of a dashboard frame): the same
/// cells and styles either way.
pub fn put(buf: &mut Buffer, x: u16, y: u16, text: &str, max_width: usize, style: Style) {
    if !printable_ascii(text) {
        buf.set_stringn(x, y, text, max_width, style);
        return;
    }
    let room = usize::from(buf.area.right().saturating_sub(x)).min(max_width);
    for (column, byte) in (x..).zip(text.bytes().take(room)) {
        buf[(column, y)].set_char(char::from(byte)).set_style(style);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_text_ends_in_an_ellipsis_and_keeps_whole_characters() {
        assert_eq!(fit("Disruption to learning", 20, "…"), "Disruption to learn…");
        assert_eq!(fit("short", 20, "…"), "short");
        assert_eq!(fit("two\nlines", 20, "…"), "two lines");
        assert_eq!(fit("名前の長い生徒", 6, "…"), "名前…");
        assert_eq!(fit("abcdef", 4, "..."), "a...");
        assert_eq!(fit("abcdef", 2, "..."), "..");
        assert_eq!(fit("abcdef", 5, "…"), "abcd…");
        assert_eq!(fit("abcdé", 4, "…"), "abc…");
        let family = "👩\u{200D}👩\u{200D}👧 Zoë and more";
        let cut = fit(family, 6, "…");
        assert!(width(&cut) <= 6 && cut.ends_with('…'), "{cut}");
    }

    #[test]
    fn put_writes_exactly_what_set_stringn_writes() {
        use ratatui::layout::Rect;
        use ratatui::style::{Color, Modifier};
        let style = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD);
        for text in [
            "Ann Smith",
            "",
            "a very long line that runs off the edge",
            "Zoë 日本",
            "tab\there",
            "~ !",
        ] {
            for (x, max) in [(0, 40), (3, 5), (15, 40), (19, 1), (2, 0)] {
                let area = Rect::new(0, 0, 20, 1);
                let (mut fast, mut slow) = (Buffer::empty(area), Buffer::empty(area));
                fast.set_style(area, Style::new().bg(Color::Blue));
                slow.set_style(area, Style::new().bg(Color::Blue));
                put(&mut fast, x, 0, text, max, style);
                slow.set_stringn(x, 0, text, max, style);
                assert_eq!(fast, slow, "{text:?} at {x}, at most {max}");
            }
        }
    }
}
