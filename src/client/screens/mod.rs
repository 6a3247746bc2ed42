//! The screens: each a module with its own state, key handling, rendering and key table.
//!
//! Screens are an enum (static dispatch, no broadcast to every component: ARCHITECTURE §9).
//! A screen never talks to the network: its key handler returns a [`Msg`] and `App::update`
//! turns that into API calls. The lock screen is not in this enum: it is an App-level cover
//! drawn *instead of* the screen, so the screen underneath (selection, typed text) survives.

pub mod dashboard;
pub mod enrol;
pub mod lock;
pub mod login;
pub mod password;
pub mod totp;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use secrecy::SecretString;
use url::Url;

use super::keymap::{self, Binding};
use super::theme::Theme;
use crate::wire::Setting;

/// What the screens may read while drawing.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// Styles.
    pub theme: &'a Theme,
    /// The setting, once `GET /setting` answered (cleaned).
    pub setting: Option<&'a Setting>,
    /// The server's URL (shown while connecting).
    pub server_url: &'a Url,
}

/// What a screen asks the App to do after a key.
#[derive(Debug)]
pub enum Msg {
    /// The screen changed; redraw.
    Redraw,
    /// Sign in.
    Login {
        /// Email as typed.
        email: String,
        /// Password (the field is already wiped).
        password: SecretString,
    },
    /// Send a TOTP or recovery code.
    Totp {
        /// The code.
        code: SecretString,
    },
    /// Confirm 2FA enrolment with a code.
    ConfirmEnrolment {
        /// The code.
        code: SecretString,
    },
    /// Skip the optional enrolment.
    SkipEnrolment,
    /// The recovery codes were saved: wipe them and go on.
    RecoveryCodesSaved,
    /// Replace the temporary password.
    ChangePassword {
        /// The new password.
        new_password: SecretString,
    },
    /// Back to the start of signing in.
    StartOver,
    /// Dashboard: fetch the incidents of the (new) period.
    FetchIncidents,
    /// Dashboard: open the details of the selected incident.
    OpenDetails,
    /// Say this on the status line (a screen's answer to a key that cannot do its job now).
    Say(String),
    /// Lock screen: unlock with this password.
    Unlock {
        /// The password.
        password: SecretString,
    },
    /// Lock screen: sign out, show the sign-in screen.
    SwitchUser,
}

/// The screen being shown (under the lock and overlays).
#[derive(Debug)]
pub enum Screen {
    /// "Sign in".
    Login(login::LoginScreen),
    /// "Two-factor code".
    Totp(totp::TotpScreen),
    /// "Set up two-factor".
    Enrol(enrol::EnrolScreen),
    /// "Change password".
    Password(password::PasswordScreen),
    /// "Dashboard".
    Dashboard(dashboard::DashboardScreen),
}

impl Screen {
    /// The title drawn at the top, in plain words.
    pub fn title(&self) -> &'static str {
        match self {
            Screen::Login(_) => "Sign in",
            Screen::Totp(_) => "Two-factor code",
            Screen::Enrol(_) => "Set up two-factor",
            Screen::Password(_) => "Change password",
            Screen::Dashboard(_) => "Dashboard",
        }
    }

    /// True while a text field has the keys (global letters do not apply then).
    pub fn edits_text(&self) -> bool {
        match self {
            Screen::Dashboard(_) => false,
            Screen::Enrol(e) => e.edits_text(),
            _ => true,
        }
    }

    /// True when quitting would lose something typed (quit asks first).
    pub fn has_draft(&self) -> bool {
        match self {
            Screen::Login(s) => s.has_draft(),
            Screen::Password(s) => s.has_draft(),
            Screen::Totp(_) | Screen::Enrol(_) | Screen::Dashboard(_) => false,
        }
    }

    /// The screen's own keys (the App adds [`keymap::ALWAYS`] and, outside text fields,
    /// [`keymap::GLOBAL`]).
    pub fn keys(&self) -> &'static [Binding] {
        match self {
            Screen::Login(_) => login::LoginScreen::keys(),
            Screen::Totp(_) => totp::TotpScreen::keys(),
            Screen::Enrol(s) => s.keys(),
            Screen::Password(_) => password::PasswordScreen::keys(),
            Screen::Dashboard(_) => dashboard::DashboardScreen::keys(),
        }
    }

    /// All the keys that apply now, for help and hints.
    pub fn key_tables(&self) -> Vec<&'static [Binding]> {
        if self.edits_text() {
            vec![keymap::ALWAYS, self.keys()]
        } else {
            vec![self.keys(), keymap::ALWAYS, keymap::GLOBAL]
        }
    }

    /// Draw into `area`.
    pub fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        match self {
            Screen::Login(s) => s.render(f, area, ctx),
            Screen::Totp(s) => s.render(f, area, ctx),
            Screen::Enrol(s) => s.render(f, area, ctx),
            Screen::Password(s) => s.render(f, area, ctx),
            Screen::Dashboard(s) => s.render(f, area, ctx),
        }
    }
}

/// A rectangle of at most `w` x `h` centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// How many rows `lines` take when drawn word-wrapped (`Wrap { trim: true }`) at `width`
/// columns. ratatui's own count (feature `unstable-rendered-line-info`), so it cannot drift
/// from what is drawn.
pub fn wrapped_height(lines: &[Line], width: u16) -> u16 {
    let paragraph = Paragraph::new(lines.to_vec()).wrap(Wrap { trim: true });
    u16::try_from(paragraph.line_count(width.max(1))).unwrap_or(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_height_counts_wrapped_and_broken_words() {
        let lines = [Line::from("aaa bbb ccc"), Line::from(""), Line::from("x".repeat(25))];
        assert_eq!(wrapped_height(&lines, 7), 2 + 1 + 4);
        assert_eq!(wrapped_height(&lines, 80), 3);
    }
}
