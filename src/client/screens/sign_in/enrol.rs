//! "Set up two-factor": QR code of the `otpauth` URL with the manual key beside it, confirm
//! with a code, then the recovery codes, shown once.
//!
//! Reached by `totp_enrolment_required` (part of signing in: no way round it), or offered after
//! a forced password change where 2FA is optional (`Esc` skips). The secret and the recovery
//! codes are held in `Zeroizing` buffers and wiped as soon as they are confirmed. The recovery
//! codes are a one-time screen: `Enter` asks "Have you saved these?" before they go, and no
//! global key leaves them. Without Unicode (an ASCII terminal) no QR code can be drawn: the key
//! is shown to type in, and the screen says why.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use secrecy::SecretString;
use zeroize::Zeroizing;

use super::Msg;
use crate::client::keymap::{self, Binding, KeyAction, KeySpec};
use crate::client::screens::{Ctx, Note, centered};
use crate::client::widgets::{popup, qr, text_field::TextField};
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
        /// The QR code rows (or `None` if it could not be encoded): they encode the secret,
        /// so they are wiped like it.
        qr: Option<Zeroizing<Vec<String>>>,
    },
    /// Showing the recovery codes, once.
    Recovery {
        /// The ten codes.
        codes: Zeroizing<Vec<String>>,
        /// "Have you saved these?" is being asked.
        asking: bool,
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
            Stage::Recovery { codes, .. } => f
                .debug_struct("Recovery")
                .field("codes", &format_args!("[{} x {}]", codes.len(), crate::wire::REDACTED))
                .finish(),
        }
    }
}

/// State of the enrolment screen.
#[derive(Debug)]
pub struct EnrolStep {
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
/// Keys while the secret is being fetched (or fetching it failed).
const LOADING_KEYS: &[Binding] = &[
    Binding {
        keys: &[KeySpec {
            code: KeyCode::Enter,
            mods: crossterm::event::KeyModifiers::NONE,
        }],
        label: "Enter",
        action: KeyAction::Submit,
        help: "try again (when it failed)",
        hint: true,
    },
    Binding {
        keys: &[KeySpec {
            code: KeyCode::Esc,
            mods: crossterm::event::KeyModifiers::NONE,
        }],
        label: "Esc",
        action: KeyAction::Back,
        help: "skip (when 2FA is optional) or start again",
        hint: true,
    },
];

/// Keys while "Have you saved these?" is asked.
const ASKING_KEYS: &[Binding] = &[
    Binding {
        keys: &[KeySpec {
            code: KeyCode::Char('y'),
            mods: crossterm::event::KeyModifiers::NONE,
        }],
        label: "y",
        action: KeyAction::Submit,
        help: "yes, I have saved them: go on",
        hint: true,
    },
    Binding {
        keys: &[
            KeySpec {
                code: KeyCode::Char('n'),
                mods: crossterm::event::KeyModifiers::NONE,
            },
            KeySpec {
                code: KeyCode::Esc,
                mods: crossterm::event::KeyModifiers::NONE,
            },
        ],
        label: "n/Esc",
        action: KeyAction::Back,
        help: "not yet: show them again",
        hint: true,
    },
    Binding {
        keys: &[KeySpec {
            code: KeyCode::Char('?'),
            mods: crossterm::event::KeyModifiers::NONE,
        }],
        label: "?",
        action: KeyAction::Help,
        help: "keys of this screen",
        hint: false,
    },
];

impl EnrolStep {
    /// Start enrolment; the flow asks for the secret.
    pub fn new(auth: EnrolAuth, skippable: bool) -> EnrolStep {
        EnrolStep {
            auth,
            skippable,
            stage: Stage::Loading,
            code: TextField::code("Code"),
            note: None,
            busy: true,
        }
    }

    /// The secret arrived; its QR code is drawn now (`mono`: without colour, light and dark
    /// swapped so it still reads on a light-on-dark terminal).
    pub fn enrolment(&mut self, e: TotpEnrolment, mono: bool) {
        let qr = qr::lines(&e.otpauth_url, mono).map(Zeroizing::new);
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
            asking: false,
        };
        self.busy = false;
        self.code.settle(true);
        self.note = None;
    }

    /// The answer came: `judged` forgets the code sent; otherwise it goes back in the field.
    pub fn answered(&mut self, judged: bool, note: Option<Note>) {
        self.busy = false;
        self.code.settle(judged);
        self.note = note;
    }

    /// True while the secret has not arrived and nothing is asking for it (the flow asks again
    /// after an unlock, when the server answers again, or on `Enter`).
    pub fn waiting_for_secret(&self) -> bool {
        matches!(self.stage, Stage::Loading) && !self.busy
    }

    /// The secret is being asked for (again).
    pub fn fetching(&mut self) {
        self.busy = true;
        self.note = None;
    }

    /// True when a code is typed.
    pub fn has_draft(&self) -> bool {
        !self.code.is_empty()
    }

    /// True while the recovery codes are shown: quitting would lose them for good.
    pub fn showing_codes(&self) -> bool {
        matches!(self.stage, Stage::Recovery { .. })
    }

    /// True while the code field has the keys.
    pub fn edits_text(&self) -> bool {
        matches!(self.stage, Stage::Scan { .. })
    }

    /// The keys of the current stage.
    pub fn keys(&self) -> &'static [Binding] {
        match self.stage {
            Stage::Recovery { asking: true, .. } => ASKING_KEYS,
            Stage::Recovery { asking: false, .. } => keymap::RECOVERY,
            Stage::Loading => LOADING_KEYS,
            Stage::Scan { .. } => SCAN_KEYS,
        }
    }

    /// A key.
    pub fn handle_key(&mut self, key: KeyEvent) -> Option<Msg> {
        let action = keymap::lookup(&[self.keys()], &key);
        if let Stage::Recovery { asking, .. } = &mut self.stage {
            return match (*asking, action) {
                (false, Some(KeyAction::Submit)) => {
                    *asking = true;
                    Some(Msg::Redraw)
                }
                (true, Some(KeyAction::Submit)) => {
                    self.stage = Stage::Loading; // drops (and wipes) the codes
                    Some(Msg::RecoveryCodesSaved)
                }
                (true, Some(KeyAction::Back)) => {
                    *asking = false;
                    Some(Msg::Redraw)
                }
                _ => None,
            };
        }
        match (&self.stage, action) {
            (_, Some(KeyAction::Back)) if self.skippable => Some(Msg::SkipEnrolment),
            (_, Some(KeyAction::Back)) => Some(Msg::StartOver),
            (Stage::Loading, Some(KeyAction::Submit)) if !self.busy => Some(Msg::RetryEnrolment),
            (Stage::Scan { .. }, Some(KeyAction::Submit)) if !self.busy => {
                if self.code.is_empty() {
                    self.note = Note::error("Type the 6-digit code your authenticator app shows.");
                    return Some(Msg::Redraw);
                }
                self.busy = true;
                self.note = Note::info("Checking the code…");
                Some(Msg::ConfirmEnrolment { code: self.code.send() })
            }
            (Stage::Scan { .. }, None) => self.code.input(key).then_some(Msg::Redraw),
            (_, Some(_)) => Some(Msg::Redraw),
            (_, None) => None,
        }
    }

    /// Pasted text.
    pub fn paste(&mut self, text: &str) {
        if self.edits_text() {
            self.code.paste(text);
        }
    }

    /// Draw. The QR code goes on the left with the key and the code field beside it; where
    /// the frame would leave too little room for it (80x24), the frame is left out (the title
    /// bar already names the screen) rather than the code.
    pub fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let theme = ctx.theme;
        let outer = ctx.block("Set up two-factor");
        let framed = outer.inner(area);
        let drawable = !ctx.glyphs.ascii;
        let inner = match &self.stage {
            Stage::Scan { qr: Some(q), .. } if drawable && !qr_fits(q, framed) && qr_fits(q, area) => area,
            _ => {
                f.render_widget(outer, area);
                framed
            }
        };
        let note = self.note.clone();
        let note_line = |f: &mut Frame, r: Rect| popup::note(f, r, note.as_ref(), theme, ctx.glyphs);
        match &self.stage {
            Stage::Loading => {
                f.render_widget(
                    Paragraph::new(ctx.glyphs.text("Preparing two-factor set-up…").into_owned()),
                    inner,
                );
                note_line(
                    f,
                    Rect {
                        y: inner.y + 1,
                        height: inner.height.saturating_sub(1),
                        ..inner
                    },
                );
            }
            Stage::Recovery { codes, asking } => {
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
                    ctx.glyphs
                        .text(if *asking {
                            "Have you saved these? They are not shown again. y: yes, go on · n: show them again"
                        } else {
                            "Press Enter when you have saved them."
                        })
                        .into_owned(),
                    theme.focus(),
                )));
                f.render_widget(
                    Paragraph::new(text).wrap(Wrap { trim: false }),
                    centered(inner, 90, inner.height),
                );
            }
            Stage::Scan { secret, qr } => {
                let shown = qr.as_ref().filter(|q| drawable && qr_fits(q, inner));
                let side = match shown {
                    Some(q) => {
                        let (w, h) = qr_size(q);
                        let style = if theme.mono {
                            Style::default()
                        } else {
                            Style::default().fg(Color::Black).bg(Color::White)
                        };
                        let lines: Vec<Line> = q.iter().map(|l| Line::from(Span::styled(l.clone(), style))).collect();
                        f.render_widget(
                            Paragraph::new(lines),
                            Rect {
                                width: w,
                                height: h,
                                ..inner
                            },
                        );
                        Rect {
                            x: inner.x + w + 1,
                            width: inner.width - w - 1,
                            ..inner
                        }
                    }
                    None => inner,
                };
                // The key in groups of four, two lines of four groups: 19 columns.
                let groups: Zeroizing<Vec<String>> = Zeroizing::new(
                    secret
                        .as_bytes()
                        .chunks(4)
                        .map(|c| String::from_utf8_lossy(c).into_owned())
                        .collect(),
                );
                let mut text = vec![
                    Line::from(if shown.is_some() {
                        "Scan this QR code with your authenticator app, or type this key into it:"
                    } else {
                        "Type this key into your authenticator app:"
                    }),
                    Line::from(""),
                ];
                text.extend(
                    groups
                        .chunks(4)
                        .map(|g| Line::from(Span::styled(g.join(" "), theme.title()))),
                );
                text.push(Line::from(""));
                if shown.is_none() {
                    text.push(Line::from(Span::styled(
                        if drawable {
                            "The window is too small for the QR code: make it larger to scan it."
                        } else {
                            "This terminal is not UTF-8, so no QR code can be drawn: type the key instead."
                        },
                        theme.error(),
                    )));
                }
                text.push(Line::from("Then type the 6-digit code the app shows."));
                if self.skippable {
                    text.push(Line::from(Span::styled(
                        "Two-factor is optional: Esc to skip.",
                        theme.dim(),
                    )));
                }
                let text = Paragraph::new(text).wrap(Wrap { trim: true });
                let text_rows = u16::try_from(text.line_count(side.width)).unwrap_or(u16::MAX);
                let rows = Layout::vertical([
                    Constraint::Length(text_rows.saturating_add(1)),
                    Constraint::Length(3),
                    Constraint::Min(1),
                ])
                .split(side);
                f.render_widget(text, rows[0]);
                self.code.render(
                    f,
                    Rect {
                        width: rows[1].width.min(30),
                        ..rows[1]
                    },
                    true,
                    theme,
                    ctx.glyphs,
                );
                note_line(f, rows[2]);
            }
        }
    }
}

/// Fewest columns beside the QR code for the key and the instructions.
const SIDE_MIN: u16 = 34;

/// Columns and rows of a drawn QR code.
fn qr_size(q: &[String]) -> (u16, u16) {
    let w = q.first().map_or(0, |l| l.chars().count());
    (
        u16::try_from(w).unwrap_or(u16::MAX),
        u16::try_from(q.len()).unwrap_or(u16::MAX),
    )
}

/// True when the QR code and the text beside it fit in `r`.
fn qr_fits(q: &[String], r: Rect) -> bool {
    let (w, h) = qr_size(q);
    u32::from(r.width) >= u32::from(w) + 1 + u32::from(SIDE_MIN) && r.height >= h
}

#[cfg(test)]
mod stage_debug_tests {
    use super::*;

    #[test]
    fn stage_debug_never_prints_the_secret_or_codes() {
        let scan = Stage::Scan {
            secret: Zeroizing::new("JBSWY3DPEHPK3PXP".into()),
            qr: Some(Zeroizing::new(vec!["JBSWY3DPEHPK3PXP-row".into()])),
        };
        let recovery = Stage::Recovery {
            codes: Zeroizing::new(vec!["abcd-efgh".into()]),
            asking: false,
        };
        let printed = format!("{scan:?} {recovery:?}");
        assert!(
            !printed.contains("JBSWY3DP") && !printed.contains("abcd-efgh"),
            "{printed}"
        );
        assert!(printed.contains("[REDACTED]"), "{printed}");
    }
}
