//! The few symbols the client draws beyond plain ASCII, with a plain fallback for terminals
//! that are not UTF-8 (a thin client's console with `TERM=linux`, or `LANG=C`).
//!
//! Every symbol of the interface comes from [`Glyphs`] (or goes through [`Glyphs::text`]), so
//! switching to ASCII is one decision made at start-up (config `glyphs = "auto" | "unicode" |
//! "ascii"`), not a search through the screens. Pupils' names are drawn as they are: they are
//! data, not symbols. The meaning of each symbol is listed in every screen's `?` help
//! ([`Glyphs::legend`]).

use std::borrow::Cow;

use ratatui::symbols::border;

use crate::config::GlyphChoice;

/// The symbol set in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Glyphs {
    /// Plain ASCII only.
    pub ascii: bool,
}

/// The ASCII box a block is drawn with when the terminal is not UTF-8.
const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

/// Each non-ASCII symbol the interface uses and its plain stand-in.
const FALLBACKS: &[(char, &str)] = &[
    ('…', "..."),
    ('—', "-"),
    ('·', "|"),
    ('•', "*"),
    ('▶', ">"),
    ('⚑', "F"),
    ('●', "*"),
    ('👍', "P"),
    ('↓', "Down"),
    ('↑', "Up"),
    ('×', "x"),
    ('✓', "+"),
    ('’', "'"),
    ('→', "->"),
];

impl Glyphs {
    /// Unicode symbols.
    pub const UNICODE: Glyphs = Glyphs { ascii: false };
    /// Plain ASCII.
    pub const ASCII: Glyphs = Glyphs { ascii: true };

    /// From the config and the environment (`TERM`, `LC_ALL`, `LC_CTYPE`, `LANG`).
    pub fn from_config(choice: GlyphChoice) -> Glyphs {
        let var = |name: &str| std::env::var(name).ok();
        Glyphs::decide(
            choice,
            var("TERM").as_deref(),
            &[var("LC_ALL"), var("LC_CTYPE"), var("LANG")],
        )
    }

    /// The decision: `auto` is Unicode when the first locale variable that is set names UTF-8
    /// and the terminal is not the Linux console (whose font lacks most symbols).
    pub fn decide(choice: GlyphChoice, term: Option<&str>, locale: &[Option<String>]) -> Glyphs {
        match choice {
            GlyphChoice::Unicode => Glyphs::UNICODE,
            GlyphChoice::Ascii => Glyphs::ASCII,
            GlyphChoice::Auto => {
                let locale = locale.iter().flatten().find(|v| !v.is_empty());
                let utf8 = locale.is_some_and(|l| {
                    let l = l.to_ascii_lowercase();
                    l.contains("utf-8") || l.contains("utf8")
                });
                Glyphs {
                    ascii: !utf8 || term == Some("linux"),
                }
            }
        }
    }

    fn pick(&self, unicode: &'static str, ascii: &'static str) -> &'static str {
        if self.ascii { ascii } else { unicode }
    }

    /// Marks an incident flagged for attention.
    pub fn flag(&self) -> &'static str {
        self.pick("⚑", "F")
    }
    /// Marks an unread notification.
    pub fn unread(&self) -> &'static str {
        self.pick("●", "*")
    }
    /// Marks the selected row and the field being typed in.
    pub fn mark(&self) -> &'static str {
        self.pick("▶", ">")
    }
    /// Marks a row picked into a group (the clicker's `Space`).
    pub fn tick(&self) -> &'static str {
        self.pick("✓", "+")
    }
    /// Ends text that was cut to fit.
    pub fn ellipsis(&self) -> &'static str {
        self.pick("…", "...")
    }
    /// Separates parts of a line.
    pub fn sep(&self) -> &'static str {
        self.pick(" · ", " | ")
    }
    /// A dash between a title and its state.
    pub fn dash(&self) -> &'static str {
        self.pick(" — ", " - ")
    }
    /// The shades of a chart's cells, from none to the most (an hour by weekday grid).
    pub fn shades(&self) -> [&'static str; 5] {
        if self.ascii {
            [" ", ".", ":", "*", "#"]
        } else {
            [" ", "░", "▒", "▓", "█"]
        }
    }
    /// What a bar of a bar chart is drawn with.
    pub fn bar(&self) -> &'static str {
        self.pick("█", "#")
    }
    /// What a masked password shows for each character.
    pub fn mask(&self) -> char {
        if self.ascii { '*' } else { '•' }
    }
    /// The border of blocks and pop-ups.
    pub fn border(&self) -> border::Set<'static> {
        if self.ascii { ASCII_BORDER } else { border::PLAIN }
    }

    /// `text` with every interface symbol replaced by its stand-in when ASCII is in use (for
    /// key labels and fixed sentences; never for data).
    pub fn text<'a>(&self, text: &'a str) -> Cow<'a, str> {
        if !self.ascii || text.is_ascii() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match FALLBACKS.iter().find(|(u, _)| *u == c) {
                Some((_, plain)) => out.push_str(plain),
                None => out.push(c),
            }
        }
        Cow::Owned(out)
    }

    /// What each symbol means, for `?` help.
    pub fn legend(&self) -> Vec<(String, &'static str)> {
        vec![
            (self.flag().to_string(), "flagged for attention"),
            (self.unread().to_string(), "notification not read yet"),
            (self.mark().to_string(), "selected row; field typed in"),
            (self.tick().to_string(), "marked: clicks go to each"),
            ("PI:".to_string(), "physical intervention"),
            (self.ellipsis().to_string(), "cut to fit: open to read all"),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn auto_follows_the_locale_and_the_linux_console() {
        let auto = GlyphChoice::Auto;
        assert!(!Glyphs::decide(auto, Some("xterm-256color"), &[None, None, some("en_GB.UTF-8")]).ascii);
        assert!(Glyphs::decide(auto, Some("xterm"), &[None, None, some("C")]).ascii);
        assert!(Glyphs::decide(auto, Some("linux"), &[None, None, some("en_GB.UTF-8")]).ascii);
        assert!(
            Glyphs::decide(auto, Some("xterm"), &[some("C"), None, some("en_GB.UTF-8")]).ascii,
            "LC_ALL wins"
        );
        assert!(
            Glyphs::decide(auto, Some("xterm"), &[None, None, None]).ascii,
            "no locale: ASCII"
        );
        assert!(!Glyphs::decide(GlyphChoice::Unicode, Some("linux"), &[]).ascii);
        assert!(Glyphs::decide(GlyphChoice::Ascii, None, &[some("en_GB.UTF-8")]).ascii);
    }

    #[test]
    fn every_symbol_has_an_ascii_stand_in() {
        let g = Glyphs::ASCII;
        for s in [
            g.flag(),
            g.unread(),
            g.mark(),
            g.tick(),
            g.ellipsis(),
            g.sep(),
            g.dash(),
        ] {
            assert!(s.is_ascii(), "{s}");
        }
        assert_eq!(g.text("j/↓ next · ▶ Email — ok…"), "j/Down next | > Email - ok...");
        for (symbol, _) in FALLBACKS {
            assert!(g.text(&symbol.to_string()).is_ascii());
        }
        let b = g.border();
        assert!(
            [b.top_left, b.horizontal_top, b.vertical_left]
                .iter()
                .all(|s| s.is_ascii())
        );
        assert_eq!(Glyphs::UNICODE.text("▶ x"), "▶ x");
    }
}
