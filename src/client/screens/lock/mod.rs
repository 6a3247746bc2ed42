//! "Locked": drawn instead of everything else (pages, pop-ups, the sign-in flow) while the
//! client is locked.
//!
//! It shows only the word Locked, the signed-in user's name and a password field. `Enter`
//! unlocks through `POST /auth/reauth` (the server counts failures towards the lock-out);
//! `Ctrl-S` switches user (signs out); `F1` shows these keys, over the lock screen only. The
//! field is wiped at every submit, and given back if the server was never reached, so "nothing
//! you typed is lost" is only said when it is true.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Clear, Paragraph, Row, Table, Wrap};
use secrecy::ExposeSecret;

use super::sign_in::LOCKED_OUT;
use super::{Ctx, Cx, Note, centered};
use crate::client::api::{Answer, ApiError, Request};
use crate::client::call::{Call, Typed, take};
use crate::client::keymap::{self, KeyAction};
use crate::client::widgets::fit::fit;
use crate::client::widgets::popup;
use crate::client::widgets::text_field::{EDITING, TextField};
use crate::wire::{AuthStep, User, codes};

/// What the App must do after the lock screen handled something. `Debug` never prints the
/// token.
pub enum LockOutcome {
    /// Stay locked.
    Stay,
    /// Unlocked with a new token.
    Unlocked {
        /// The new token (the old one is revoked).
        token: String,
        /// Who.
        user: User,
    },
    /// Sign out and show the sign-in screen.
    SwitchUser,
    /// The session is over (expired, or the account locked): sign-in with this note.
    Ended(Option<Note>),
    /// Quit.
    Quit,
}

impl std::fmt::Debug for LockOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockOutcome::Stay => f.write_str("Stay"),
            LockOutcome::Unlocked { user, .. } => {
                write!(f, "Unlocked {{ token: {}, user: {} }}", crate::wire::REDACTED, user.id)
            }
            LockOutcome::SwitchUser => f.write_str("SwitchUser"),
            LockOutcome::Ended(_) => f.write_str("Ended"),
            LockOutcome::Quit => f.write_str("Quit"),
        }
    }
}

/// The reply of the unlock call.
pub struct Reply(Result<AuthStep, ApiError>);

/// State of the lock screen.
#[derive(Debug)]
pub struct LockScreen {
    user_name: String,
    password: TextField,
    /// Feedback (wrong password).
    pub note: Option<Note>,
    /// An unlock is on its way.
    pub busy: bool,
    help: bool,
}

/// Said when the server session ended while the client was locked.
const EXPIRED: &str = "Your session has expired. Sign in again.";

impl LockScreen {
    /// Lock for `user_name`, with a note saying why when it is not the usual idle lock.
    pub fn new(user_name: String, note: Option<Note>) -> LockScreen {
        LockScreen {
            user_name,
            password: TextField::secret("Password"),
            note,
            busy: false,
            help: false,
        }
    }

    /// A key.
    pub fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> LockOutcome {
        let action = keymap::lookup(&[keymap::LOCK], &key);
        if self.help {
            match action {
                Some(KeyAction::Quit) => return LockOutcome::Quit,
                Some(KeyAction::SwitchUser) => return LockOutcome::SwitchUser,
                _ => self.help = false,
            }
            return LockOutcome::Stay;
        }
        match action {
            Some(KeyAction::Help) => self.help = true,
            Some(KeyAction::Quit) => return LockOutcome::Quit,
            Some(KeyAction::SwitchUser) => return LockOutcome::SwitchUser,
            Some(KeyAction::Submit) if !self.busy => {
                if self.password.is_empty() {
                    self.note = Note::error("Type your password to unlock.");
                    return LockOutcome::Stay;
                }
                self.busy = true;
                self.note = Note::info("Checking…");
                let password = self.password.send();
                let request = Request::post("/auth/reauth")
                    .fields(&[("password", Some(password.expose_secret()))])
                    .session();
                cx.call(
                    Call::new("reauth", request, |r: Result<Answer, ApiError>| {
                        Reply(r.and_then(Answer::typed))
                    })
                    .while_locked(),
                );
            }
            Some(_) => {}
            None => {
                self.password.input(key);
            }
        }
        LockOutcome::Stay
    }

    /// True while the field holds a password, typed or kept from an unlock that did not go
    /// through: the idle time then forgets it, so the next person cannot press Enter on it.
    pub fn holds_text(&self) -> bool {
        !self.password.is_empty() || self.password.sent().is_some()
    }

    /// Forget what the field holds, and say why.
    pub fn forget(&mut self, note: Option<Note>) {
        self.password.wipe();
        self.busy = false;
        self.note = note;
    }

    /// Pasted text (cleaned, bounded, masked).
    pub fn paste(&mut self, text: &str) {
        self.password.paste(text);
    }

    /// The answer to the unlock.
    pub fn reply(&mut self, reply: Typed) -> LockOutcome {
        let Some(Reply(result)) = take::<Reply>(reply) else {
            return LockOutcome::Stay;
        };
        self.busy = false;
        match result {
            Ok(AuthStep::Ok { token, user, .. }) => LockOutcome::Unlocked { token, user },
            Ok(_) => LockOutcome::Ended(Note::error(EXPIRED)),
            Err(e) if e.is(codes::ACCOUNT_LOCKED) => LockOutcome::Ended(Note::error(LOCKED_OUT)),
            Err(e) if e.session_ended() => LockOutcome::Ended(Note::error(EXPIRED)),
            Err(e) if e.is(codes::INVALID_CREDENTIALS) => {
                self.password.settle(true);
                self.note = Note::error("Wrong password. Too many failures lock the account.");
                LockOutcome::Stay
            }
            Err(e) if e.unreached() => {
                self.password.settle(false);
                self.note = Note::error(format!(
                    "{e}. Your password is still in the field: press Enter to try again."
                ));
                LockOutcome::Stay
            }
            Err(e) => {
                self.password.settle(true);
                self.note = Note::error(format!("{e}. Type your password again to unlock."));
                LockOutcome::Stay
            }
        }
    }

    /// Draw over the whole area (clearing it first); `F1` draws the keys over it.
    pub fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let theme = ctx.theme;
        f.render_widget(Clear, area);
        let outer = ctx.block("Locked");
        let inner = outer.inner(area);
        f.render_widget(outer, area);
        let area = centered(inner, 60, 10);
        let rows = Layout::vertical([Constraint::Length(3), Constraint::Length(3), Constraint::Min(1)]).split(area);
        let text = vec![
            Line::from(Span::styled("Locked", theme.title())),
            Line::from(format!(
                "Signed in as {}. Type your password to unlock.",
                self.user_name
            )),
            Line::from(Span::styled(
                ctx.glyphs
                    .text("Ctrl-S: switch user (signs out) · F1: keys")
                    .into_owned(),
                theme.dim(),
            )),
        ];
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), rows[0]);
        self.password.render(f, rows[1], true, theme, ctx.glyphs);
        popup::note(f, rows[2], self.note.as_ref(), theme, ctx.glyphs);
        if self.help {
            let keys = keymap::help_rows(&[keymap::LOCK, EDITING]);
            let r = centered(inner, 60, keys.len() as u16 + 2);
            f.render_widget(Clear, r);
            let table_rows: Vec<Row> = keys
                .iter()
                .map(|(k, what)| {
                    let what_w = usize::from(r.width.saturating_sub(16));
                    Row::new([
                        Cell::from(Span::styled(ctx.glyphs.text(k).into_owned(), theme.focus())),
                        Cell::from(fit(what, what_w, ctx.glyphs.ellipsis()).into_owned()),
                    ])
                })
                .collect();
            let block = ctx
                .block("Keys: Locked")
                .border_style(theme.focus())
                .title_bottom(Span::styled(" F1 or Esc closes ", theme.dim()));
            f.render_widget(
                Table::new(table_rows, [Constraint::Length(12), Constraint::Fill(1)]).block(block),
                r,
            );
        }
    }
}
