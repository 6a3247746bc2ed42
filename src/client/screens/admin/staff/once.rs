//! Temporary passwords, shown once (a new account, a reset, a bulk import). Each is a
//! [`SecretString`] (wiped when dropped, `[REDACTED]` in `Debug`), kept only while this screen
//! is up: it is never said on the status line, logged or saved, and leaving the screen (after
//! "Have you given it to them?") or the page drops it. No global key leaves it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use secrecy::{ExposeSecret, SecretString};

use crate::client::screens::Ctx;

/// What the admin must tell them, under every password.
pub const HOW: &str =
    "Give it to them in person; it must be changed at first sign-in and expires in 72 hours. It is not shown again.";

/// One account's temporary password.
pub struct Entry {
    /// Whose (a member of staff's name: not pupil data).
    pub name: String,
    /// Their email.
    pub email: String,
    /// The password.
    pub password: SecretString,
}

/// The screen of one or more temporary passwords.
pub struct OneTime {
    /// What happened, e.g. "Created Sam Brown's account.".
    pub title: String,
    /// The passwords, in order.
    pub entries: Vec<Entry>,
    /// "Have you given it to them?" is asked.
    pub asked: bool,
    /// Rows scrolled down.
    pub scroll: u16,
}

impl std::fmt::Debug for OneTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OneTime {{ passwords: {}, asked: {} }}", self.entries.len(), self.asked)
    }
}

impl OneTime {
    /// One password, for `name` (`email`).
    pub fn one(title: String, name: &str, email: &str, password: String) -> OneTime {
        OneTime {
            title,
            entries: vec![Entry {
                name: name.to_string(),
                email: email.to_string(),
                password: SecretString::from(password),
            }],
            asked: false,
            scroll: 0,
        }
    }

    /// Draw it over `area`.
    pub fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        f.render_widget(Clear, area);
        let big = ctx.theme.title().add_modifier(Modifier::BOLD);
        let mut lines = vec![Line::from(Span::styled(self.title.clone(), ctx.theme.ok())), Line::from("")];
        for e in &self.entries {
            lines.push(Line::from(format!("{} ({})", e.name, e.email)));
            lines.push(Line::from(vec![
                Span::raw("    "),
                Span::styled(e.password.expose_secret().to_string(), big),
            ]));
            lines.push(Line::from(""));
        }
        lines.push(Line::from(Span::styled(HOW, ctx.theme.text())));
        let question = if self.asked {
            Span::styled(
                format!(
                    "Have you given {} to them? {} y/n",
                    if self.entries.len() == 1 { "it" } else { "each" },
                    "It is not shown again."
                ),
                ctx.theme.error(),
            )
        } else {
            Span::styled("Enter when done.", ctx.theme.dim())
        };
        lines.push(Line::from(question));
        let title = if self.entries.len() == 1 {
            "Temporary password".to_string()
        } else {
            format!("{} temporary passwords", self.entries.len())
        };
        f.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((self.scroll, 0))
                .block(ctx.block(&title).border_style(ctx.theme.focus())),
            area,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_a_password() {
        let once = OneTime::one("Created.".into(), "Sam", "s@x.test", "plinth-orbit-velvet".into());
        let dbg = format!("{once:?}");
        assert!(!dbg.contains("plinth"), "{dbg}");
        assert!(!format!("{:?}", once.entries[0].password).contains("plinth"));
    }
}
