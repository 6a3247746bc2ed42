//! "Sign in": the setting's name, email (focused first), masked password.
//!
//! `Tab`/`Shift-Tab` move between the fields, `Enter` on the email moves to the password and
//! `Enter` on the password signs in. The password field is wiped at every submit; on a
//! network error (the server never saw it) the password is given back so nothing typed is lost.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use secrecy::{ExposeSecret, SecretString};

use super::{Ctx, Msg, centered};
use crate::client::keymap::{self, Binding, KeyAction};
use crate::client::widgets::text_field::TextField;

/// A line of feedback under a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// What to say.
    pub text: String,
    /// Drawn as an error.
    pub error: bool,
}

impl Note {
    /// An error note. The text is cleaned (SECURITY.md 35): it may quote an `ApiError`.
    pub fn error(text: impl Into<String>) -> Option<Note> {
        Some(Note {
            text: crate::client::sanitize::clean(&text.into()),
            error: true,
        })
    }
    /// An informational note (cleaned like [`Note::error`]).
    pub fn info(text: impl Into<String>) -> Option<Note> {
        Some(Note {
            text: crate::client::sanitize::clean(&text.into()),
            error: false,
        })
    }
}

/// State of the sign-in screen.
#[derive(Debug)]
pub struct LoginScreen {
    email: TextField,
    password: TextField,
    focus: usize,
    /// Feedback (wrong password, locked, expired session…).
    pub note: Option<Note>,
    /// A sign-in is on its way.
    pub busy: bool,
    /// The password of the request in flight, to give back if the network failed.
    in_flight: Option<SecretString>,
    /// The setting's identity changed since last time at this URL.
    pub identity_warning: bool,
}

impl LoginScreen {
    /// An empty form, email focused, with an optional note (e.g. "your session expired").
    pub fn new(note: Option<Note>) -> LoginScreen {
        LoginScreen {
            email: TextField::plain("Email"),
            password: TextField::secret("Password"),
            focus: 0,
            note,
            busy: false,
            in_flight: None,
            identity_warning: false,
        }
    }

    /// Back from a later sign-in step: the email filled in, the password to type again.
    pub fn with_email(email: &str) -> LoginScreen {
        let mut login = LoginScreen::new(Note::info("Started again: type your password."));
        login.email.set(email);
        login.focus = 1;
        login
    }

    /// The keys of this screen.
    pub fn keys() -> &'static [Binding] {
        keymap::FORM
    }

    /// True when an email or password is typed.
    pub fn has_draft(&self) -> bool {
        !self.email.is_empty() || !self.password.is_empty()
    }

    fn field(&mut self) -> &mut TextField {
        if self.focus == 0 {
            &mut self.email
        } else {
            &mut self.password
        }
    }

    /// A key for this screen.
    pub fn handle_key(&mut self, key: KeyEvent) -> Option<Msg> {
        match keymap::lookup(&[keymap::FORM], &key) {
            Some(KeyAction::NextField | KeyAction::PrevField) => {
                self.focus = 1 - self.focus;
                Some(Msg::Redraw)
            }
            Some(KeyAction::Submit) if self.focus == 0 => {
                self.focus = 1;
                Some(Msg::Redraw)
            }
            Some(KeyAction::Submit) => self.submit(),
            Some(KeyAction::Back) => {
                self.note = None;
                Some(Msg::Redraw)
            }
            _ => self.field().input(key).then_some(Msg::Redraw),
        }
    }

    /// Pasted text goes into the focused field (cleaned and bounded there).
    pub fn paste(&mut self, text: &str) {
        self.field().paste(text);
    }

    fn submit(&mut self) -> Option<Msg> {
        if self.busy {
            return Some(Msg::Redraw);
        }
        let email = self.email.text().trim().to_owned();
        if email.is_empty() {
            self.focus = 0;
            self.note = Note::error("Type your work email address first.");
            return Some(Msg::Redraw);
        }
        if self.password.is_empty() {
            self.note = Note::error("Type your password.");
            return Some(Msg::Redraw);
        }
        let password = self.password.take_secret();
        self.in_flight = Some(SecretString::from(password.expose_secret()));
        self.busy = true;
        self.note = Note::info("Signing in…");
        Some(Msg::Login { email, password })
    }

    /// The server answered (whatever it said): forget the retained password.
    pub fn answered(&mut self, note: Option<Note>) {
        self.busy = false;
        self.in_flight = None;
        self.note = note;
        self.focus = 1;
    }

    /// The server never judged the password (unreachable, or an answer that is not a bsmart
    /// reply): give the password back, keep everything typed.
    pub fn unanswered(&mut self, note: Option<Note>) {
        self.busy = false;
        if let Some(p) = self.in_flight.take() {
            self.password.set(p.expose_secret());
        }
        self.note = note;
    }

    /// Draw.
    pub fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let theme = ctx.theme;
        let outer = Block::default()
            .borders(Borders::ALL)
            .title(Span::styled(" Sign in ", theme.title()));
        let inner = outer.inner(area);
        f.render_widget(outer, area);
        let box_area = centered(inner, 72, inner.height);
        let mut head: Vec<Line> = Vec::new();
        match ctx.setting {
            Some(s) => {
                head.push(Line::from(Span::styled(s.name.clone(), theme.title())));
                if s.demo {
                    head.push(Line::from(Span::styled(
                        " DEMO — demonstration data, not real pupils ",
                        theme.banner(),
                    )));
                    head.push(Line::from(Span::styled(
                        "Demo accounts: admin@, lead@, teacher@, newstarter@demo.test (passwords: see `bsmart demo` or the README)",
                        theme.dim(),
                    )));
                }
            }
            None => head.push(Line::from(format!(
                "Connecting to {}…",
                ctx.server_url.as_str().trim_end_matches('/')
            ))),
        }
        if self.identity_warning {
            head.push(Line::from(Span::styled(
                " WARNING: this server is not the setting it was before. Do not sign in unless your admin confirms the change. ",
                theme.banner(),
            )));
        }
        let head_h = (head.len() as u16 + 2).min(box_area.height);
        let rows = Layout::vertical([
            Constraint::Length(head_h),
            Constraint::Length(3),
            Constraint::Length(3),
            Constraint::Min(1),
        ])
        .split(box_area);
        f.render_widget(Paragraph::new(head).wrap(Wrap { trim: true }), rows[0]);
        let focus = self.focus;
        self.email.render(f, rows[1], focus == 0, theme);
        self.password.render(f, rows[2], focus == 1, theme);
        if let Some(note) = &self.note {
            let style = if note.error { theme.error() } else { theme.text() };
            f.render_widget(
                Paragraph::new(Span::styled(note.text.clone(), style)).wrap(Wrap { trim: true }),
                rows[3],
            );
        }
    }
}
