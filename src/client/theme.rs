//! Styles. `NO_COLOR` (any non-empty value) and `theme = "mono"` turn every colour off; focus,
//! selection and warnings stay visible through bold, reverse video and underline alone.

use ratatui::style::{Color, Modifier, Style};

use crate::config;

/// The styles every screen draws with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// No colour at all.
    pub mono: bool,
}

impl Theme {
    /// From the config and the environment's `NO_COLOR`.
    pub fn from_config(theme: config::Theme) -> Theme {
        Theme::from_parts(theme, std::env::var_os("NO_COLOR").as_deref())
    }

    /// From the config and a `NO_COLOR` value: any non-empty value turns colour off
    /// (no-color.org); an empty one does not.
    pub fn from_parts(theme: config::Theme, no_color: Option<&std::ffi::OsStr>) -> Theme {
        Theme {
            mono: no_color.is_some_and(|v| !v.is_empty()) || theme == config::Theme::Mono,
        }
    }

    fn colour(&self, style: Style) -> Style {
        if self.mono { Style::default() } else { style }
    }

    /// Ordinary text.
    pub fn text(&self) -> Style {
        Style::default()
    }
    /// Secondary text (hints, dates).
    pub fn dim(&self) -> Style {
        if self.mono {
            Style::default()
        } else {
            Style::default().fg(Color::Gray)
        }
    }
    /// Screen and panel titles.
    pub fn title(&self) -> Style {
        self.colour(Style::default().fg(Color::Cyan))
            .add_modifier(Modifier::BOLD)
    }
    /// The border of the focused field or panel: bold (and coloured when allowed).
    pub fn focus(&self) -> Style {
        self.colour(Style::default().fg(Color::Yellow))
            .add_modifier(Modifier::BOLD)
    }
    /// The selected table row: reverse video, visible without colour.
    pub fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }
    /// Errors and the identity warning.
    pub fn error(&self) -> Style {
        self.colour(Style::default().fg(Color::Red))
            .add_modifier(Modifier::BOLD)
    }
    /// Loud banners (DEMO, identity changed): reverse video.
    pub fn banner(&self) -> Style {
        self.colour(Style::default().fg(Color::Yellow))
            .add_modifier(Modifier::BOLD | Modifier::REVERSED)
    }
    /// Good news (signed in, online).
    pub fn ok(&self) -> Style {
        self.colour(Style::default().fg(Color::Green))
    }
    /// The status bar.
    pub fn status(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
    /// Table headers.
    pub fn header(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::OsStr;

    use super::*;

    #[test]
    fn no_color_with_a_value_or_the_mono_theme_turns_colour_off() {
        let auto = config::Theme::Auto;
        assert!(!Theme::from_parts(auto, None).mono);
        assert!(
            !Theme::from_parts(auto, Some(OsStr::new(""))).mono,
            "empty NO_COLOR is unset"
        );
        assert!(Theme::from_parts(auto, Some(OsStr::new("1"))).mono);
        assert!(Theme::from_parts(config::Theme::Mono, None).mono);
        let mono = Theme { mono: true };
        for style in [
            mono.text(),
            mono.dim(),
            mono.title(),
            mono.focus(),
            mono.selected(),
            mono.error(),
        ]
        .into_iter()
        .chain([mono.banner(), mono.ok(), mono.status(), mono.header()])
        {
            assert_eq!((style.fg, style.bg), (None, None), "{style:?}");
        }
    }
}
