//! The sign-in flow: "Sign in" → (a two-factor code | setting up two-factor | a forced password
//! change) → signed in. It lives apart from the signed-in pages, so no global key (`d`, `q`,
//! `Esc` to a page) can leave one of its screens, and the one-time recovery codes are left only
//! by answering "Have you saved these?".
//!
//! Each step ([`login`], [`totp`], [`enrol`], [`password`]) holds its fields and answers keys
//! with a [`Msg`]; this module turns those into calls and the server's answers into the next
//! step. What the App must do (install a session, show the pages, start again) comes back as an
//! [`Outcome`]. The flow is also where a sign-in left idle on a shared computer is forgotten
//! ([`SignIn::idle`]).

pub mod enrol;
pub mod login;
pub mod password;
pub mod totp;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use secrecy::{ExposeSecret, SecretString};

use self::enrol::{EnrolAuth, EnrolStep};
use self::login::LoginStep;
use self::password::PasswordStep;
use self::totp::TotpStep;
use super::{Ctx, Cx, Note};
use crate::client::api::{Answer, ApiError, Request};
use crate::client::call::{Call, Typed, take};
use crate::client::keymap::{self, Binding};
use crate::client::widgets::text_field::EDITING;
use crate::wire::{AuthStep, TotpEnrolment, User, codes};

/// What a step asks for after a key.
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
    /// Ask for the secret again (it did not come).
    RetryEnrolment,
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
}

/// `Esc` on a step with something typed asks first: the first press says what would be lost,
/// a second one goes back; any other key cancels the question.
#[derive(Debug, Default)]
pub struct LeaveGuard {
    asked: bool,
}

impl LeaveGuard {
    /// `Esc` was pressed: true when the step may go back now (nothing typed, or asked
    /// already); otherwise the question goes in `note`.
    pub fn leave(&mut self, typed: bool, note: &mut Option<Note>) -> bool {
        if !typed || self.asked {
            self.asked = false;
            return true;
        }
        self.asked = true;
        *note = Note::info("Esc again to go back: what you typed here will be lost.");
        false
    }

    /// Any other key: the question is off.
    pub fn stay(&mut self) {
        self.asked = false;
    }
}

/// Which call an [`AuthStep`] answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepCall {
    /// `POST /auth/login`.
    Login,
    /// `POST /auth/totp`.
    Totp,
    /// `POST /auth/totp/confirm`.
    Confirm,
    /// `POST /auth/password`.
    Password,
}

/// The replies of the flow's calls.
pub enum Reply {
    /// The next step of signing in.
    Step(StepCall, Result<AuthStep, ApiError>),
    /// The secret to enrol.
    Enrol(Result<TotpEnrolment, ApiError>),
}

/// What the App must do after the flow handled something. `Debug` never prints the token.
pub enum Outcome {
    /// Nothing beyond redrawing.
    Stay,
    /// Signed in (or the session's token changed): install it. The flow may go on (the
    /// recovery codes, an optional enrolment); [`SignIn::done`] says when it is over.
    Session {
        /// The bearer token.
        token: String,
        /// Who.
        user: User,
        /// How many recovery codes are left, when one was just used.
        recovery_codes_left: Option<u32>,
    },
    /// Signing in is over: show the pages.
    Done,
    /// Start again at "Sign in" with this note, ending any session.
    Restart(Option<Note>),
    /// Setting up two-factor with the session needs the password again: lock, then come back
    /// ([`SignIn::resume`]).
    ConfirmPassword,
}

impl std::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Stay => f.write_str("Stay"),
            Outcome::Session {
                user,
                recovery_codes_left,
                ..
            } => write!(
                f,
                "Session {{ token: {}, user: {}, recovery_codes_left: {recovery_codes_left:?} }}",
                crate::wire::REDACTED,
                user.id
            ),
            Outcome::Done => f.write_str("Done"),
            Outcome::Restart(_) => f.write_str("Restart"),
            Outcome::ConfirmPassword => f.write_str("ConfirmPassword"),
        }
    }
}

/// What the idle time means for the flow now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idle {
    /// Nothing to forget.
    Nothing,
    /// Something is typed on "Sign in": forget it.
    ForgetTyped,
    /// A later step without a session: start again.
    Restart,
}

/// The step being shown.
#[derive(Debug)]
enum Step {
    Login(LoginStep),
    Totp(TotpStep),
    Enrol(EnrolStep),
    Password(PasswordStep),
}

/// The sign-in flow.
#[derive(Debug)]
pub struct SignIn {
    step: Step,
    /// The email of the sign-in under way: `Esc` on a later step goes back with it filled in.
    email: Option<String>,
    /// The flow came through a forced password change (enrolment is then offered).
    after_forced_change: bool,
    /// Signing in is over.
    done: bool,
    /// Draw the QR code without colour.
    mono: bool,
}

/// Said when the account is locked.
pub const LOCKED_OUT: &str = "This account is locked after too many failed attempts. Ask an admin to unlock it.";

impl SignIn {
    /// A fresh "Sign in", with an optional note.
    pub fn new(note: Option<Note>, mono: bool) -> SignIn {
        SignIn {
            step: Step::Login(LoginStep::new(note)),
            email: None,
            after_forced_change: false,
            done: false,
            mono,
        }
    }

    /// The title at the top.
    pub fn title(&self) -> &'static str {
        match self.step {
            Step::Login(_) => "Sign in",
            Step::Totp(_) => "Two-factor code",
            Step::Enrol(_) => "Set up two-factor",
            Step::Password(_) => "Change password",
        }
    }

    /// True once the flow is over (the App then shows the pages).
    pub fn done(&self) -> bool {
        self.done
    }

    /// True on the first screen.
    pub fn at_start(&self) -> bool {
        matches!(self.step, Step::Login(_))
    }

    /// The step's keys (the App adds the keys that work everywhere).
    pub fn keys(&self) -> Vec<&'static [Binding]> {
        match &self.step {
            Step::Enrol(e) if !e.edits_text() => vec![e.keys()],
            Step::Enrol(e) => vec![e.keys(), EDITING],
            Step::Login(_) => vec![keymap::LOGIN_FORM, EDITING],
            Step::Totp(_) => vec![keymap::CODE_FORM, EDITING],
            Step::Password(_) => vec![keymap::FORM, EDITING],
        }
    }

    /// True while a text field has the keys.
    pub fn edits_text(&self) -> bool {
        match &self.step {
            Step::Enrol(e) => e.edits_text(),
            _ => true,
        }
    }

    /// True when quitting would lose something: what was typed, or recovery codes that are
    /// shown once.
    pub fn has_draft(&self) -> bool {
        match &self.step {
            Step::Login(s) => s.has_draft(),
            Step::Password(s) => s.has_draft(),
            Step::Totp(s) => s.has_draft(),
            Step::Enrol(s) => s.showing_codes() || s.has_draft(),
        }
    }

    /// The smallest window for the step (columns, rows), status bars included.
    pub fn min_size(&self) -> (u16, u16) {
        match self.step {
            Step::Login(_) | Step::Totp(_) => (44, 15),
            Step::Password(_) => (60, 20),
            Step::Enrol(_) => (60, 20),
        }
    }

    /// What the idle time means now.
    pub fn idle(&self) -> Idle {
        match &self.step {
            Step::Login(l) if l.has_draft() => Idle::ForgetTyped,
            Step::Login(_) => Idle::Nothing,
            _ => Idle::Restart,
        }
    }

    /// Nobody pressed a key for the idle time on "Sign in": forget what was typed, and the
    /// sign-in in flight if there is one (its answer must not sign anyone in now).
    pub fn forget_typed(&mut self, idle_minutes: String, cx: &mut Cx) {
        cx.cancel("auth");
        if let Step::Login(l) = &mut self.step {
            l.forget(Note::info(format!(
                "What was typed was cleared after {idle_minutes} without a key, so the next person cannot use it."
            )));
        }
        self.email = None;
    }

    /// A key; `None` when the step had no use for it. `setting_known`: the server has said
    /// which setting it is (and its identity was checked), so a password may go to it.
    pub fn key(&mut self, key: KeyEvent, cx: &mut Cx, setting_known: bool) -> Option<Outcome> {
        let msg = match &mut self.step {
            Step::Login(s) => s.handle_key(key, setting_known),
            Step::Totp(s) => s.handle_key(key),
            Step::Enrol(s) => s.handle_key(key),
            Step::Password(s) => s.handle_key(key),
        };
        msg.map(|msg| self.on_msg(msg, cx))
    }

    /// Pasted text.
    pub fn paste(&mut self, text: &str) {
        match &mut self.step {
            Step::Login(s) => s.paste(text),
            Step::Totp(s) => s.paste(text),
            Step::Enrol(s) => s.paste(text),
            Step::Password(s) => s.paste(text),
        }
    }

    fn step_call(which: StepCall, request: Request) -> Call {
        Call::new("auth", request, move |r: Result<Answer, ApiError>| {
            Reply::Step(which, r.and_then(Answer::typed))
        })
    }

    fn enrol_call(&self) -> Call {
        let request = match &self.step {
            Step::Enrol(EnrolStep {
                auth: EnrolAuth::Challenge(c),
                ..
            }) => Request::post("/auth/totp/enrol").fields(&[("challenge", Some(c.expose_secret()))]),
            _ => Request::post("/auth/totp/enrol").session(),
        };
        Call::new("auth", request, |r: Result<Answer, ApiError>| {
            Reply::Enrol(r.and_then(Answer::typed))
        })
    }

    fn on_msg(&mut self, msg: Msg, cx: &mut Cx) -> Outcome {
        match msg {
            Msg::Redraw => {}
            Msg::Login { email, password } => {
                self.email = Some(email.clone());
                let request = Request::post("/auth/login")
                    .fields(&[("email", Some(&email)), ("password", Some(password.expose_secret()))]);
                cx.call(Self::step_call(StepCall::Login, request));
            }
            Msg::Totp { code } => {
                if let Step::Totp(s) = &self.step {
                    let request = Request::post("/auth/totp").fields(&[
                        ("challenge", Some(s.challenge.expose_secret())),
                        ("code", Some(code.expose_secret())),
                    ]);
                    cx.call(Self::step_call(StepCall::Totp, request));
                }
            }
            Msg::ConfirmEnrolment { code } => {
                if let Step::Enrol(s) = &self.step {
                    let request = match &s.auth {
                        EnrolAuth::Challenge(c) => Request::post("/auth/totp/confirm").fields(&[
                            ("challenge", Some(c.expose_secret())),
                            ("code", Some(code.expose_secret())),
                        ]),
                        EnrolAuth::Session => Request::post("/auth/totp/confirm")
                            .fields(&[("code", Some(code.expose_secret()))])
                            .session(),
                    };
                    cx.call(Self::step_call(StepCall::Confirm, request));
                }
            }
            Msg::RetryEnrolment => self.resume(cx),
            Msg::SkipEnrolment | Msg::RecoveryCodesSaved => {
                self.done = true;
                return Outcome::Done;
            }
            Msg::ChangePassword { new_password } => {
                if let Step::Password(s) = &self.step {
                    let request = Request::post("/auth/password").fields(&[
                        ("challenge", Some(s.challenge.expose_secret())),
                        ("new_password", Some(new_password.expose_secret())),
                    ]);
                    cx.call(Self::step_call(StepCall::Password, request));
                }
            }
            Msg::StartOver => {
                cx.cancel("auth");
                self.step = Step::Login(match self.email.take() {
                    Some(email) => LoginStep::with_email(&email),
                    None => LoginStep::new(None),
                });
                self.after_forced_change = false;
            }
        }
        Outcome::Stay
    }

    /// A reply to one of the flow's calls.
    pub fn reply(&mut self, reply: Typed, cx: &mut Cx, signed_in: bool) -> Outcome {
        let Some(reply) = take::<Reply>(reply) else {
            return Outcome::Stay;
        };
        match reply {
            Reply::Step(which, Ok(step)) => self.next(which, step, cx),
            Reply::Step(which, Err(e)) => self.refused(Some(which), e, signed_in),
            Reply::Enrol(Ok(enrolment)) => {
                if let Step::Enrol(s) = &mut self.step {
                    s.enrolment(enrolment, self.mono);
                }
                Outcome::Stay
            }
            Reply::Enrol(Err(e)) => self.refused(None, e, signed_in),
        }
    }

    /// The server's next step.
    fn next(&mut self, which: StepCall, step: AuthStep, cx: &mut Cx) -> Outcome {
        if let Step::Login(l) = &mut self.step {
            l.answered(true, None);
        }
        match step {
            AuthStep::Ok {
                token,
                user,
                recovery_codes,
                recovery_codes_left,
            } => {
                let with_2fa = user.totp_enabled;
                if let (false, Step::Enrol(s)) = (recovery_codes.is_empty(), &mut self.step) {
                    s.recovery(recovery_codes);
                } else if self.after_forced_change && !with_2fa && which == StepCall::Password {
                    self.step = Step::Enrol(EnrolStep::new(EnrolAuth::Session, true));
                    cx.call(self.enrol_call());
                } else {
                    self.done = true;
                }
                self.after_forced_change = false;
                Outcome::Session {
                    token,
                    user,
                    recovery_codes_left,
                }
            }
            AuthStep::TotpRequired { challenge, demo_hint } => {
                self.step = Step::Totp(TotpStep::new(challenge, demo_hint));
                Outcome::Stay
            }
            AuthStep::TotpEnrolmentRequired { challenge } => {
                self.step = Step::Enrol(EnrolStep::new(
                    EnrolAuth::Challenge(SecretString::from(challenge)),
                    false,
                ));
                cx.call(self.enrol_call());
                Outcome::Stay
            }
            AuthStep::PasswordChangeRequired { challenge, min_chars } => {
                self.after_forced_change = true;
                self.step = Step::Password(PasswordStep::new(challenge, min_chars));
                Outcome::Stay
            }
        }
    }

    /// The server refused a step (or could not be reached).
    fn refused(&mut self, which: Option<StepCall>, e: ApiError, signed_in: bool) -> Outcome {
        if e.is(codes::ACCOUNT_LOCKED) {
            return Outcome::Restart(Note::error(LOCKED_OUT));
        }
        if e.is(codes::INVALID_CHALLENGE) {
            return Outcome::Restart(Note::error("Signing in took too long. Please start again."));
        }
        if e.session_ended() && signed_in {
            return Outcome::Restart(Note::error(super::super::app::EXPIRED));
        }
        if e.is(codes::REAUTH_REQUIRED) && signed_in {
            if let Step::Enrol(s) = &mut self.step {
                s.answered(true, Note::info("Thank you. Now type the code again to finish."));
            }
            return Outcome::ConfirmPassword;
        }
        let recovery = matches!(&self.step, Step::Totp(s) if s.sent_recovery_code());
        let note = Note::error(sentence(&e, recovery));
        // Only the server's own envelope says anything about what was typed; after any other
        // failure it is given back, so nothing is retyped.
        let judged = matches!(e, ApiError::Server { .. });
        match &mut self.step {
            Step::Login(s) if which == Some(StepCall::Login) => s.answered(judged, note),
            Step::Login(_) => {}
            Step::Totp(s) => s.answered(judged, note),
            Step::Enrol(s) => s.answered(judged, note),
            Step::Password(s) => s.answered(judged, note),
        }
        Outcome::Stay
    }

    /// Back from confirming the password (after `reauth_required`): fetch the secret again if
    /// it never came.
    pub fn resume(&mut self, cx: &mut Cx) {
        if let Step::Enrol(s) = &self.step
            && s.waiting_for_secret()
        {
            cx.call(self.enrol_call());
            if let Step::Enrol(s) = &mut self.step {
                s.fetching();
            }
        }
    }

    /// The step's TOTP secret while it is shown (tests read it to compute a code).
    pub fn enrol_secret(&self) -> Option<&str> {
        match &self.step {
            Step::Enrol(EnrolStep {
                stage: enrol::Stage::Scan { secret, .. },
                ..
            }) => Some(secret.as_str()),
            _ => None,
        }
    }

    /// Draw.
    /// Draw; `warnings` go loudly above the sign-in fields (a changed setting, a certificate
    /// refused).
    pub fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>, warnings: &[String]) {
        match &mut self.step {
            Step::Login(s) => s.render(f, area, ctx, warnings),
            Step::Totp(s) => s.render(f, area, ctx),
            Step::Enrol(s) => s.render(f, area, ctx),
            Step::Password(s) => s.render(f, area, ctx),
        }
    }
}

/// A refusal (or a failure to reach the server) in words for the person signing in.
/// `recovery` says the code sent was a recovery code, not a code from the app.
pub fn sentence(e: &ApiError, recovery: bool) -> String {
    match e {
        ApiError::Server { code, .. } if code == codes::INVALID_CREDENTIALS => "Wrong email or password.".into(),
        ApiError::Server { code, .. } if code == codes::ACCOUNT_LOCKED => LOCKED_OUT.into(),
        ApiError::Server { code, .. } if code == codes::RATE_LIMITED => {
            "Too many attempts from this computer. Wait a minute, then try again.".into()
        }
        ApiError::Server { code, .. } if code == codes::INVALID_CODE && recovery => {
            "That recovery code is wrong or has already been used: each one works once. Try another.".into()
        }
        ApiError::Server { code, .. } if code == codes::INVALID_CODE => {
            "That code is wrong or was already used. Wait for the next code, then try again.".into()
        }
        ApiError::Network(_) => format!("{e}. Nothing you typed is lost: press Enter to try again."),
        ApiError::NoAnswer(_) => format!("{e}. It may have been received: type it again to try again."),
        ApiError::Untrusted(_) => format!("{e}."),
        ApiError::BadResponse { .. } | ApiError::TooLarge(_) => format!(
            "Something is wrong with the server: {e}. Nothing you typed is lost: press Enter to try again in a minute, and tell your admin if it keeps happening."
        ),
        other => other.to_string(),
    }
}
