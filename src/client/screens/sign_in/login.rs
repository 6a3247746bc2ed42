//! "Sign in": the setting's name, email (focused first), masked password; in a demo, the demo
//! accounts and their (public) passwords.
//!
//! `Tab`/`Shift-Tab` move between the fields, `Enter` on the email moves to the password and
//! `Enter` on the password signs in. The password field is wiped at every submit; when the
//! server never saw it (unreachable), it is given back so nothing typed is lost.

use super::Msg;
use crate::client::screens::{Ctx, Note, centered};
use crate::client::widgets::fit::fit;
use crate::client::widgets::popup;
use crate::client::widgets::text_field::{Pair, PairKey, TextField};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// State of the sign-in screen.
#[derive(Debug)]
pub struct LoginStep {
    /// Email, then password.
    fields: Pair,
    /// Feedback (wrong password, locked, expired session…).
    pub note: Option<Note>,
    /// A sign-in is on its way.
    pub busy: bool,
}

impl LoginStep {
    /// An empty form, email focused, with an optional note (e.g. "your session expired").
    pub fn new(note: Option<Note>) -> LoginStep {
        LoginStep {
            fields: Pair::new(TextField::plain("Email"), TextField::secret("Password")),
            note,
            busy: false,
        }
    }

    /// Back from a later sign-in step: the email filled in, the password to type again.
    pub fn with_email(email: &str) -> LoginStep {
        let mut login = LoginStep::new(Note::info("Started again: type your password."));
        login.fields.fields[0].set(email);
        login.fields.focus = 1;
        login
    }

    /// True when an email or password is typed.
    pub fn has_draft(&self) -> bool {
        self.fields.has_text()
    }

    /// A key for this screen; `setting_known`: the server has said which setting it is.
    pub fn handle_key(&mut self, key: KeyEvent, setting_known: bool) -> Option<Msg> {
        match self.fields.key(key) {
            PairKey::Submit if !setting_known => {
                self.note = Note::info(
                    "The server has not said which setting it is yet, so no password goes to it. Wait a moment, then press Enter.",
                );
                Some(Msg::Redraw)
            }
            PairKey::Submit => self.submit(),
            // Nothing to go back to from "Sign in": the App says so.
            PairKey::Back => None,
            PairKey::Used => Some(Msg::Redraw),
            PairKey::Unused => None,
        }
    }

    /// Pasted text goes into the focused field (cleaned and bounded there).
    pub fn paste(&mut self, text: &str) {
        self.fields.focused().paste(text);
    }

    fn submit(&mut self) -> Option<Msg> {
        if self.busy {
            return Some(Msg::Redraw);
        }
        let [email, password] = &mut self.fields.fields;
        let email = email.text().trim().to_owned();
        if email.is_empty() {
            self.fields.focus = 0;
            self.note = Note::error("Type your work email address first.");
            return Some(Msg::Redraw);
        }
        if password.is_empty() {
            self.note = Note::error("Type your password.");
            return Some(Msg::Redraw);
        }
        let password = password.send();
        self.busy = true;
        self.note = Note::info("Signing in…");
        Some(Msg::Login { email, password })
    }

    /// The answer came: `judged` when the server judged the password (it is forgotten), else
    /// it never saw it (unreachable, or an answer that is not a bsmart reply) and the password
    /// goes back into its field, so nothing typed is lost.
    pub fn answered(&mut self, judged: bool, note: Option<Note>) {
        self.busy = false;
        self.fields.settle(judged);
        self.note = note;
        if judged {
            self.fields.focus = 1;
        }
    }

    /// Forget everything typed (nobody pressed a key for the idle time on a shared computer).
    pub fn forget(&mut self, note: Option<Note>) {
        self.fields.fields.iter_mut().for_each(TextField::wipe);
        self.fields.focus = 0;
        self.busy = false;
        self.note = note;
    }

    /// Draw. Short windows drop the demo accounts first, then the setting's name.
    pub fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>, warnings: &[String]) {
        let theme = ctx.theme;
        let outer = ctx.block("Sign in");
        let inner = outer.inner(area);
        f.render_widget(outer, area);
        let box_area = centered(inner, 76, inner.height);
        let head = self.head(ctx, warnings, box_area.height.saturating_sub(8), box_area.width);
        let head_h = (head.len() as u16).min(box_area.height.saturating_sub(8));
        let rows = Layout::vertical([
            Constraint::Length(head_h),
            Constraint::Length(3),
            Constraint::Length(3),
            Constraint::Min(2),
        ])
        .split(box_area);
        f.render_widget(Paragraph::new(head).wrap(Wrap { trim: true }), rows[0]);
        self.fields.render(f, [rows[1], rows[2]], theme, ctx.glyphs);
        popup::note(f, rows[3], self.note.as_ref(), theme, ctx.glyphs);
    }

    /// The lines above the fields, as many as `room` rows allow (the demo accounts only when
    /// all of them fit, one line each, within `width`).
    fn head(&self, ctx: &Ctx<'_>, warnings: &[String], room: u16, width: u16) -> Vec<Line<'static>> {
        let theme = ctx.theme;
        let mut head: Vec<Line<'static>> = warnings
            .iter()
            .map(|w| Line::from(Span::styled(format!(" WARNING: {w} "), theme.banner())))
            .collect();
        match ctx.setting {
            Some(s) => {
                head.push(Line::from(Span::styled(s.name.clone(), theme.title())));
                if s.demo {
                    head.push(Line::from(Span::styled(
                        " DEMO: demonstration data, not real pupils ",
                        theme.banner(),
                    )));
                    if !s.demo_accounts.is_empty() && usize::from(room) >= head.len() + 2 + s.demo_accounts.len() {
                        head.push(Line::from(Span::styled(
                            "Demo accounts (their passwords are public):",
                            theme.dim(),
                        )));
                        for a in &s.demo_accounts {
                            let line = format!("{:<21} {:<24} {}", a.email, a.password, a.note);
                            head.push(Line::from(Span::styled(
                                fit(&line, usize::from(width), ctx.glyphs.ellipsis()).into_owned(),
                                theme.focus(),
                            )));
                        }
                    }
                }
            }
            None => {
                let url = ctx.server_url.as_str().trim_end_matches('/');
                head.push(Line::from(match ctx.connection.offline_since() {
                    Some(since) => format!(
                        "Cannot reach {url} (since {}). Trying again by itself.",
                        ctx.dates.time(since)
                    ),
                    None => ctx.glyphs.text(&format!("Connecting to {url}…")).into_owned(),
                }));
            }
        }
        head.push(Line::from(""));
        head
    }
}
