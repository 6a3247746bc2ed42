//! "Set up two-factor": QR code of the `otpauth` URL with the manual key beside it, confirm
//! with a code, then the recovery codes, shown once.
//!
//! Reached by `totp_enrolment_required` (part of signing in: no way round it), or offered after
//! a forced password change where 2FA is optional (`Esc` skips). The secret and the recovery
//! codes are held in `Zeroizing` buffers and wiped as soon as they are confirmed.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use secrecy::SecretString;
use zeroize::Zeroizing;

use super::login::Note;
use super::{Ctx, Msg, centered};
use crate::client::keymap::{self, Binding, KeyAction, KeySpec};
use crate::client::widgets::{qr, text_field::TextField};
use crate::wire::TotpEnrolment;

/// How the enrolment calls authenticate.
#[derive(Debug)]
pub enum EnrolAuth {
    /// Part of signing in: the challenge.
    Challenge(SecretString),
    /// Signed in (optional enrolment): the session's token.
    Session,
}

/// Where the enrolment is. `Debug` is written by hand: the secret, the QR code (which encodes
/// it) and the recovery codes print as `[REDACTED]`.
pub enum Stage {
    /// Waiting for the secret.
    Loading,
    /// Showing the QR code and the key; waiting for a code.
    Scan {
        /// Base32 secret.
        secret: Zeroizing<String>,
        /// The QR code rows (or `None` if it could not be encoded).
        qr: Option<Vec<String>>,
    },
    /// Showing the recovery codes, once.
    Recovery {
        /// The ten codes.
        codes: Zeroizing<Vec<String>>,
    },
}

impl std::fmt::Debug for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stage::Loading => f.write_str("Loading"),
            Stage::Scan { qr, .. } => f
                .debug_struct("Scan")
                .field("secret", &format_args!("{}", crate::wire::REDACTED))
                .field("qr", &qr.as_ref().map(|_| crate::wire::REDACTED))
                .finish(),
            Stage::Recovery { codes } => f
                .debug_struct("Recovery")
                .field("codes", &format_args!("[{} x {}]", codes.len(), crate::wire::REDACTED))
                .finish(),
        }
    }
}

/// State of the enrolment screen.
#[derive(Debug)]
pub struct EnrolScreen {
    /// How to authenticate the calls.
    pub auth: EnrolAuth,
    /// True when the user may skip (2FA optional for this account).
    pub skippable: bool,
    /// Where we are.
    pub stage: Stage,
    code: TextField,
    /// Feedback.
    pub note: Option<Note>,
    /// A call is on its way.
    pub busy: bool,
    mono: bool,
}

/// Keys while a code is typed.
const SCAN_KEYS: &[Binding] = &[
    Binding {
        keys: &[KeySpec {
            code: crossterm::event::KeyCode::Enter,
            mods: crossterm::event::KeyModifiers::NONE,
        }],
        label: "Enter",
        action: KeyAction::Submit,
        help: "confirm the code",
        hint: true,
    },
    Binding {
        keys: &[KeySpec {
            code: crossterm::event::KeyCode::Esc,
            mods: crossterm::event::KeyModifiers::NONE,
        }],
        label: "Esc",
        action: KeyAction::Back,
        help: "skip (when 2FA is optional) or start again",
        hint: true,
    },
];
/// Keys while the recovery codes are shown.
const RECOVERY_KEYS: &[Binding] = &[Binding {
    keys: &[KeySpec {
        code: crossterm::event::KeyCode::Enter,
        mods: crossterm::event::KeyModifiers::NONE,
    }],
    label: "Enter",
    action: KeyAction::Submit,
    help: "I have saved the recovery codes",
    hint: true,
}];

impl EnrolScreen {
    /// Start enrolment; the App asks for the secret.
    pub fn new(auth: EnrolAuth, skippable: bool, mono: bool) -> EnrolScreen {
        EnrolScreen {
            auth,
            skippable,
            stage: Stage::Loading,
            code: TextField::code("Code"),
            note: None,
            busy: true,
            mono,
        }
    }

    /// The secret arrived.
    pub fn enrolment(&mut self, e: TotpEnrolment) {
        let qr = qr::lines(&e.otpauth_url, self.mono);
        if let (Some(c), EnrolAuth::Challenge(_)) = (e.challenge, &self.auth) {
            self.auth = EnrolAuth::Challenge(SecretString::from(c));
        }
        let mut url = e.otpauth_url;
        zeroize::Zeroize::zeroize(&mut url);
        self.stage = Stage::Scan {
            secret: Zeroizing::new(e.secret),
            qr,
        };
        self.busy = false;
    }

    /// Confirmed: show the recovery codes once.
    pub fn recovery(&mut self, codes: Vec<String>) {
        self.stage = Stage::Recovery {
            codes: Zeroizing::new(codes),
        };
        self.busy = false;
        self.note = None;
    }

    /// True while the code field has the keys.
    pub fn edits_text(&self) -> bool {
        matches!(self.stage, Stage::Scan { .. })
    }

    /// The keys of the current stage.
    pub fn keys(&self) -> &'static [Binding] {
        match self.stage {
            Stage::Recovery { .. } => RECOVERY_KEYS,
            _ => SCAN_KEYS,
        }
    }

    /// A key.
    pub fn handle_key(&mut self, key: KeyEvent) -> Option<Msg> {
        let action = keymap::lookup(&[self.keys()], &key);
        match (&self.stage, action) {
            (Stage::Recovery { .. }, Some(KeyAction::Submit)) => {
                self.stage = Stage::Loading; // drops (and wipes) the codes
                Some(Msg::RecoveryCodesSaved)
            }
            (Stage::Recovery { .. }, _) => None,
            (_, Some(KeyAction::Back)) if self.skippable => Some(Msg::SkipEnrolment),
            (_, Some(KeyAction::Back)) => Some(Msg::StartOver),
            (Stage::Scan { .. }, Some(KeyAction::Submit)) if !self.busy => {
                if self.code.is_empty() {
                    self.note = Note::error("Type the 6-digit code your authenticator app shows.");
                    return Some(Msg::Redraw);
                }
                self.busy = true;
                self.note = Note::info("Checking the code…");
                Some(Msg::ConfirmEnrolment {
                    code: self.code.take_secret(),
                })
            }
            (Stage::Scan { .. }, None) => self.code.input(key).then_some(Msg::Redraw),
            _ => Some(Msg::Redraw),
        }
    }

    /// Pasted text.
    pub fn paste(&mut self, text: &str) {
        if self.edits_text() {
            self.code.paste(text);
        }
    }

    /// Draw.
    pub fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let theme = ctx.theme;
        let outer = Block::default()
            .borders(Borders::ALL)
            .title(Span::styled(" Set up two-factor ", theme.title()));
        let inner = outer.inner(area);
        f.render_widget(outer, area);
        let note = self.note.clone();
        let note_line = |f: &mut Frame, r: Rect| {
            if let Some(n) = &note {
                let style = if n.error { theme.error() } else { theme.text() };
                f.render_widget(
                    Paragraph::new(Span::styled(n.text.clone(), style)).wrap(Wrap { trim: true }),
                    r,
                );
            }
        };
        match &self.stage {
            Stage::Loading => {
                f.render_widget(Paragraph::new("Preparing two-factor set-up…"), inner);
                note_line(
                    f,
                    Rect {
                        y: inner.y + 1,
                        height: inner.height.saturating_sub(1),
                        ..inner
                    },
                );
            }
            Stage::Recovery { codes } => {
                let mut text = vec![
                    Line::from(Span::styled(
                        "Two-factor is on. These are your recovery codes, shown only now:",
                        theme.title(),
                    )),
                    Line::from(
                        "Each works once, instead of a code, if you lose your phone. Write them down and keep them safe.",
                    ),
                    Line::from(""),
                ];
                text.extend(codes.iter().map(|c| Line::from(format!("    {c}"))));
                text.push(Line::from(""));
                text.push(Line::from(Span::styled(
                    "Press Enter when you have saved them.",
                    theme.focus(),
                )));
                f.render_widget(
                    Paragraph::new(text).wrap(Wrap { trim: false }),
                    centered(inner, 90, inner.height),
                );
            }
            Stage::Scan { secret, qr } => {
                let qr_w = qr
                    .as_ref()
                    .map_or(0, |q| q.first().map_or(0, |l| l.chars().count() as u16));
                let qr_h = qr.as_ref().map_or(0, |q| q.len() as u16);
                let fits = qr.is_some() && inner.width >= qr_w + 40 && inner.height >= qr_h;
                let (qr_area, side) = if fits {
                    let cols = Layout::horizontal([Constraint::Length(qr_w + 2), Constraint::Min(30)]).split(inner);
                    (Some(cols[0]), cols[1])
                } else {
                    (None, inner)
                };
                if let (Some(a), Some(q)) = (qr_area, qr) {
                    let style = if theme.mono {
                        Style::default()
                    } else {
                        Style::default().fg(Color::Black).bg(Color::White)
                    };
                    let lines: Vec<Line> = q.iter().map(|l| Line::from(Span::styled(l.clone(), style))).collect();
                    f.render_widget(
                        Paragraph::new(lines),
                        Rect {
                            x: a.x + 1,
                            width: qr_w,
                            height: qr_h.min(a.height),
                            ..a
                        },
                    );
                }
                let grouped: String = secret
                    .as_bytes()
                    .chunks(4)
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect::<Vec<_>>()
                    .join(" ");
                let mut text = vec![
                    Line::from("Scan the QR code with your authenticator app"),
                    Line::from("(or type this key into it by hand):"),
                    Line::from(""),
                    Line::from(Span::styled(grouped, theme.title())),
                    Line::from(""),
                ];
                if !fits {
                    text.push(Line::from(Span::styled(
                        "The window is too small for the QR code: make it larger, or type the key above.",
                        theme.error(),
                    )));
                }
                text.push(Line::from("Then type the 6-digit code the app shows."));
                if self.skippable {
                    text.push(Line::from(Span::styled(
                        "Two-factor is optional for you: Esc to skip.",
                        theme.dim(),
                    )));
                }
                let rows = Layout::vertical([
                    Constraint::Length(text.len() as u16 + 1),
                    Constraint::Length(3),
                    Constraint::Min(1),
                ])
                .split(side);
                f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), rows[0]);
                self.code.render(
                    f,
                    Rect {
                        width: rows[1].width.min(30),
                        ..rows[1]
                    },
                    true,
                    theme,
                );
                note_line(f, rows[2]);
            }
        }
    }
}

#[cfg(test)]
mod stage_debug_tests {
    use super::*;

    #[test]
    fn stage_debug_never_prints_the_secret_or_codes() {
        let scan = Stage::Scan {
            secret: Zeroizing::new("JBSWY3DPEHPK3PXP".into()),
            qr: Some(vec!["JBSWY3DPEHPK3PXP-row".into()]),
        };
        let recovery = Stage::Recovery {
            codes: Zeroizing::new(vec!["abcd-efgh".into()]),
        };
        let printed = format!("{scan:?} {recovery:?}");
        assert!(
            !printed.contains("JBSWY3DP") && !printed.contains("abcd-efgh"),
            "{printed}"
        );
        assert!(printed.contains("[REDACTED]"), "{printed}");
    }
}
