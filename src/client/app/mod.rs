//! `App`: the whole client state and `App::update(action) -> Vec<Command>`.
//!
//! One screen (an enum, [`Screen`]), one overlay slot ([`Overlay`]: help, quit confirmation,
//! error, incident details), and the lock, which is an App-level cover: while locked only the
//! lock screen is drawn and gets keys; the screen and overlay underneath are untouched, so the
//! user comes back to exactly where they were (ARCHITECTURE §8).
//!
//! Idle lock (SECURITY.md 38, 39): every action first checks the idle timer (by both clocks),
//! so the lock also replaces any overlay at the next event. Only key presses and pastes touch
//! the timer; replies, resizes and the lock timer never do. Every way into the unlocked state
//! (sign-in, unlock) starts it. While locked no API call is made except reauth and logout: a
//! page of incidents that would be fetched waits until unlock.
//!
//! Drawing lives in the child module `view`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use crossterm::event::{KeyCode, KeyEvent};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::action::{Action, Reply, Slot};
use super::api::{ApiError, Auth};
use super::command::{Call, Command};
use super::identity::{self, Known};
use super::keymap::{self, Destination, KeyAction};
use super::lock::{Clock, IdleTimer};
use super::screens::dashboard::DashboardScreen;
use super::screens::enrol::{EnrolAuth, EnrolScreen};
use super::screens::lock::LockScreen;
use super::screens::login::{LoginScreen, Note};
use super::screens::password::PasswordScreen;
use super::screens::totp::TotpScreen;
use super::screens::{Msg, Screen};
use super::session::Session;
use super::theme::Theme;
use crate::wire::{self, AuthStep, IncidentQuery, codes};

/// Page size asked of `GET /incidents`.
mod view;

pub const INCIDENT_PAGE: u32 = 500;

/// What the App is built from.
#[derive(Clone)]
pub struct AppOptions {
    /// The setting's server.
    pub server_url: Url,
    /// Idle time before locking.
    pub idle_lock: Duration,
    /// Names as initials until revealed.
    pub privacy_mode: bool,
    /// Styles.
    pub theme: Theme,
    /// The clocks (injected in tests).
    pub clock: Arc<dyn Clock>,
    /// Where setting identities are remembered (`None`: not remembered).
    pub known_settings: Option<PathBuf>,
}

/// The one overlay slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    /// The keys of the current screen.
    Help,
    /// "Quit? What you typed will be lost."
    QuitConfirm,
    /// An error pop-up.
    Error(String),
    /// Details of the selected incident.
    Details,
}

/// Whether the server answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// Waiting for the first answer.
    Connecting,
    /// The last call reached the server.
    Online,
    /// The last call could not reach it.
    Offline,
}

/// The client.
pub struct App {
    opts: AppOptions,
    idle: IdleTimer,
    setting: Option<wire::Setting>,
    identity_changed: bool,
    connection: Connection,
    session: Option<Session>,
    screen: Screen,
    overlay: Option<Overlay>,
    lock: Option<LockScreen>,
    status: Option<String>,
    dirty: bool,
    quit: bool,
    next_id: u64,
    latest: HashMap<Slot, u64>,
    /// A page of incidents that waits for the unlock.
    deferred_incidents: Option<Option<String>>,
    /// The sign-in flow came through a forced password change (enrolment is then offered).
    after_forced_change: bool,
    /// The email of the sign-in under way: `Esc` on a later step goes back with it filled in.
    /// Dropped once signed in and whenever the session ends (a time-out on a shared computer
    /// must not hand the next person someone's email).
    sign_in_email: Option<String>,
}

const EXPIRED: &str = "Your session has expired. Sign in again.";
/// Said when a sign-in step past the first screen was left idle.
const SIGN_IN_TIMED_OUT: &str = "Signing in timed out. Start again.";
const LOCKED_OUT: &str = "This account is locked after too many failed attempts. Ask an admin to unlock it.";

impl App {
    /// A client showing the sign-in screen ("Connecting to …" until the setting arrives).
    pub fn new(opts: AppOptions) -> App {
        let idle = IdleTimer::new(opts.idle_lock, opts.clock.as_ref());
        App {
            opts,
            idle,
            setting: None,
            identity_changed: false,
            connection: Connection::Connecting,
            session: None,
            screen: Screen::Login(LoginScreen::new(None)),
            overlay: None,
            lock: None,
            status: None,
            dirty: true,
            quit: false,
            next_id: 0,
            latest: HashMap::new(),
            deferred_incidents: None,
            after_forced_change: false,
            sign_in_email: None,
        }
    }

    /// The first commands: ask for the setting.
    pub fn start(&mut self) -> Vec<Command> {
        vec![self.call(Slot::Setting, Call::Setting)]
    }

    /// True when the state changed since the last [`App::mark_drawn`].
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// The frame was drawn.
    pub fn mark_drawn(&mut self) {
        self.dirty = false;
    }

    /// True once the user asked to quit.
    pub fn quitting(&self) -> bool {
        self.quit
    }

    /// True while the lock screen is shown.
    pub fn is_locked(&self) -> bool {
        self.lock.is_some()
    }

    /// The current screen.
    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    /// The overlay shown, if any.
    pub fn overlay(&self) -> Option<&Overlay> {
        self.overlay.as_ref()
    }

    /// The user signed in, if any.
    pub fn user(&self) -> Option<&wire::User> {
        self.session.as_ref().map(|s| &s.user)
    }

    /// Take the session out (on exit, to sign out).
    pub fn take_session(&mut self) -> Option<Session> {
        self.session.take()
    }

    /// How long until the idle lock is due, when it can be (signed in and not locked), or until
    /// a sign-in step past the first screen times out (see [`App::check_idle`]).
    pub fn lock_remaining(&self) -> Option<Duration> {
        let timed = self.session.is_some() || !matches!(self.screen, Screen::Login(_));
        (timed && self.lock.is_none()).then(|| self.idle.remaining(self.opts.clock.as_ref()))
    }

    fn call(&mut self, slot: Slot, call: Call) -> Command {
        self.next_id += 1;
        self.latest.insert(slot, self.next_id);
        Command::Call {
            slot,
            id: self.next_id,
            call,
        }
    }

    /// Lock if the idle time has passed (by either clock). Not signed in yet, past the sign-in
    /// screen (a code, a forced password change, the TOTP secret and QR code on a shared
    /// computer): start again from the sign-in screen, dropping the challenge and secret.
    fn check_idle(&mut self) -> Vec<Command> {
        if self.session.is_none()
            && !matches!(self.screen, Screen::Login(_))
            && self.idle.expired(self.opts.clock.as_ref())
        {
            return self.end_session(Note::error(SIGN_IN_TIMED_OUT));
        }
        if self.session.is_some() && self.lock.is_none() && self.idle.expired(self.opts.clock.as_ref()) {
            self.lock()
        } else {
            Vec::new()
        }
    }

    fn lock(&mut self) -> Vec<Command> {
        let Some(session) = &self.session else {
            return Vec::new();
        };
        self.lock = Some(LockScreen::new(session.user.display_name.clone()));
        self.status = None;
        self.dirty = true;
        vec![Command::ClearTerminal]
    }

    /// Handle one action.
    pub fn update(&mut self, action: Action) -> Vec<Command> {
        let mut cmds = self.check_idle();
        // The key that meets an expired timer only locks: it reaches no screen, not even the
        // lock screen's password field.
        let just_locked = !cmds.is_empty();
        match action {
            Action::Key(_) if just_locked => self.idle.touch(self.opts.clock.as_ref()),
            Action::Key(key) => {
                self.idle.touch(self.opts.clock.as_ref());
                cmds.extend(self.on_key(key));
            }
            Action::Paste(mut text) => {
                self.idle.touch(self.opts.clock.as_ref());
                if !just_locked {
                    self.on_paste(&text);
                }
                // A paste is often a password or a recovery code: wipe it once used.
                zeroize::Zeroize::zeroize(&mut text);
            }
            Action::Resize => self.dirty = true,
            Action::LockDeadline => {}
            Action::Api { slot, id, reply } => {
                if self.latest.get(&slot) == Some(&id) {
                    self.latest.remove(&slot);
                    cmds.extend(self.on_reply(reply));
                }
            }
            Action::Terminate => {
                self.quit = true;
                cmds.push(Command::Quit);
            }
        }
        cmds
    }

    fn on_paste(&mut self, text: &str) {
        self.dirty = true;
        if let Some(lock) = &mut self.lock {
            return lock.paste(text);
        }
        if self.overlay.is_some() {
            return;
        }
        match &mut self.screen {
            Screen::Login(s) => s.paste(text),
            Screen::Totp(s) => s.paste(text),
            Screen::Enrol(s) => s.paste(text),
            Screen::Password(s) => s.paste(text),
            Screen::Dashboard(_) => {}
        }
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Command> {
        self.dirty = true;
        if let Some(lock) = &mut self.lock {
            if keymap::lookup(&[keymap::LOCK], &key) == Some(KeyAction::Quit) {
                self.quit = true;
                return vec![Command::Quit];
            }
            return match lock.handle_key(key) {
                Some(msg) => self.on_msg(msg),
                None => Vec::new(),
            };
        }
        self.status = None;
        match keymap::lookup(&[keymap::ALWAYS], &key) {
            Some(KeyAction::Lock) => {
                if self.session.is_some() {
                    return self.lock();
                }
                self.status = Some("Nothing to lock: nobody is signed in.".into());
                return Vec::new();
            }
            Some(KeyAction::Help) => {
                self.overlay = if self.overlay == Some(Overlay::Help) {
                    None
                } else {
                    Some(Overlay::Help)
                };
                return Vec::new();
            }
            Some(KeyAction::Quit) => return self.request_quit(),
            _ => {}
        }
        if let Some(overlay) = &self.overlay {
            if *overlay == Overlay::QuitConfirm {
                match key.code {
                    KeyCode::Char('y') | KeyCode::Char('Y') => {
                        self.quit = true;
                        return vec![Command::Quit];
                    }
                    KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => self.overlay = None,
                    _ => {}
                }
            } else if matches!(
                key.code,
                KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') | KeyCode::Char('?')
            ) {
                self.overlay = None;
            }
            return Vec::new();
        }
        let msg = match &mut self.screen {
            Screen::Login(s) => s.handle_key(key),
            Screen::Totp(s) => s.handle_key(key),
            Screen::Enrol(s) => s.handle_key(key),
            Screen::Password(s) => s.handle_key(key),
            Screen::Dashboard(s) => s.handle_key(key),
        };
        if let Some(msg) = msg {
            return self.on_msg(msg);
        }
        if self.screen.edits_text() {
            return Vec::new();
        }
        match keymap::lookup(&[keymap::GLOBAL], &key) {
            Some(KeyAction::Help) => self.overlay = Some(Overlay::Help),
            Some(KeyAction::BackOrQuit) if matches!(self.screen, Screen::Dashboard(_)) => return self.request_quit(),
            Some(KeyAction::Go(Destination::Dashboard)) => {}
            Some(KeyAction::Go(d)) => self.status = Some(format!("{} comes in a later release.", d.title())),
            _ => {}
        }
        Vec::new()
    }

    fn request_quit(&mut self) -> Vec<Command> {
        if self.screen.has_draft() {
            self.overlay = Some(Overlay::QuitConfirm);
            Vec::new()
        } else {
            self.quit = true;
            vec![Command::Quit]
        }
    }

    fn token(&self) -> Option<SecretString> {
        self.session.as_ref().map(Session::token)
    }

    fn on_msg(&mut self, msg: Msg) -> Vec<Command> {
        match msg {
            Msg::Redraw => Vec::new(),
            Msg::Login { email, password } => {
                self.sign_in_email = Some(email.clone());
                let mut cmds = Vec::new();
                if self.setting.is_none() {
                    cmds.push(self.call(Slot::Setting, Call::Setting));
                }
                cmds.push(self.call(Slot::Auth, Call::Login { email, password }));
                cmds
            }
            Msg::Totp { code } => {
                let Screen::Totp(s) = &self.screen else {
                    return Vec::new();
                };
                let challenge = SecretString::from(s.challenge.expose_secret());
                vec![self.call(Slot::Auth, Call::Totp { challenge, code })]
            }
            Msg::ConfirmEnrolment { code } => {
                let Some(auth) = self.enrol_auth() else {
                    return Vec::new();
                };
                vec![self.call(Slot::Auth, Call::Confirm { auth, code })]
            }
            Msg::SkipEnrolment | Msg::RecoveryCodesSaved => self.go_dashboard(),
            Msg::ChangePassword { new_password } => {
                let Screen::Password(s) = &self.screen else {
                    return Vec::new();
                };
                let challenge = SecretString::from(s.challenge.expose_secret());
                vec![self.call(
                    Slot::Auth,
                    Call::Password {
                        challenge,
                        new_password,
                    },
                )]
            }
            Msg::StartOver => {
                self.screen = Screen::Login(match self.sign_in_email.take() {
                    Some(email) => LoginScreen::with_email(&email),
                    None => LoginScreen::new(None),
                });
                self.latest.remove(&Slot::Auth);
                Vec::new()
            }
            Msg::FetchIncidents => self.fetch_incidents(None),
            Msg::OpenDetails => {
                self.overlay = Some(Overlay::Details);
                Vec::new()
            }
            Msg::Say(text) => {
                self.status = Some(text);
                Vec::new()
            }
            Msg::Unlock { password } => match self.token() {
                Some(token) => vec![self.call(Slot::Auth, Call::Reauth { token, password })],
                None => Vec::new(),
            },
            Msg::SwitchUser => {
                let mut cmds = Vec::new();
                if let Some(token) = self.token() {
                    cmds.push(self.call(Slot::Logout, Call::Logout { token }));
                }
                cmds.extend(self.end_session(Note::info("Signed out. The next person can sign in.")));
                cmds
            }
        }
    }

    fn enrol_auth(&self) -> Option<Auth> {
        let Screen::Enrol(s) = &self.screen else { return None };
        match &s.auth {
            EnrolAuth::Challenge(c) => Some(Auth::Challenge(SecretString::from(c.expose_secret()))),
            EnrolAuth::Session => self.token().map(Auth::Token),
        }
    }

    /// Drop the session, every pupil record and overlay; show the sign-in screen.
    fn end_session(&mut self, note: Option<Note>) -> Vec<Command> {
        self.session = None;
        self.lock = None;
        self.overlay = None;
        self.status = None;
        self.deferred_incidents = None;
        self.after_forced_change = false;
        self.sign_in_email = None;
        self.latest
            .retain(|slot, _| matches!(slot, Slot::Setting | Slot::Logout));
        let mut login = LoginScreen::new(note);
        login.identity_warning = self.identity_changed;
        self.screen = Screen::Login(login);
        self.dirty = true;
        vec![Command::ClearTerminal]
    }

    fn go_dashboard(&mut self) -> Vec<Command> {
        self.screen = Screen::Dashboard(DashboardScreen::new(self.opts.privacy_mode));
        let mut cmds = self.fetch_incidents(None);
        if let Some(token) = self.token() {
            cmds.push(self.call(Slot::Notifications, Call::Notifications { token }));
        }
        cmds
    }

    fn fetch_incidents(&mut self, cursor: Option<String>) -> Vec<Command> {
        let Screen::Dashboard(d) = &self.screen else {
            return Vec::new();
        };
        if self.lock.is_some() {
            self.deferred_incidents = Some(cursor);
            return Vec::new();
        }
        let Some(token) = self.token() else { return Vec::new() };
        let query = IncidentQuery {
            since: d.period.since(Utc::now()),
            limit: Some(INCIDENT_PAGE),
            cursor,
        };
        vec![self.call(Slot::Incidents, Call::Incidents { token, query })]
    }

    /// Signed in: start the idle timer and go on.
    fn signed_in(&mut self, token: String, user: wire::User) {
        match &mut self.session {
            Some(s) if s.user.id == user.id => {
                s.rotate(token);
                s.user = user;
            }
            _ => self.session = Some(Session::new(token, user)),
        }
        self.idle.touch(self.opts.clock.as_ref());
        self.sign_in_email = None;
        if self.identity_changed {
            if let Some(s) = &self.setting {
                identity::accept(
                    self.opts.known_settings.as_deref(),
                    self.opts.server_url.as_str(),
                    &s.id,
                );
            }
            self.identity_changed = false;
        }
    }

    fn auth_step(&mut self, step: AuthStep) -> Vec<Command> {
        match step {
            AuthStep::Ok {
                token,
                user,
                recovery_codes,
                ..
            } => {
                let totp = user.totp_enabled;
                self.signed_in(token, user);
                if let (false, Screen::Enrol(s)) = (recovery_codes.is_empty(), &mut self.screen) {
                    s.recovery(recovery_codes);
                    return Vec::new();
                }
                if self.after_forced_change && !totp {
                    self.after_forced_change = false;
                    self.screen = Screen::Enrol(EnrolScreen::new(EnrolAuth::Session, true, self.opts.theme.mono));
                    let Some(token) = self.token() else { return Vec::new() };
                    return vec![self.call(Slot::Auth, Call::Enrol(Auth::Token(token)))];
                }
                self.after_forced_change = false;
                self.go_dashboard()
            }
            AuthStep::TotpRequired { challenge, demo_hint } => {
                self.screen = Screen::Totp(TotpScreen::new(challenge, demo_hint));
                Vec::new()
            }
            AuthStep::TotpEnrolmentRequired { challenge } => {
                let auth = Auth::Challenge(SecretString::from(challenge.as_str()));
                self.screen = Screen::Enrol(EnrolScreen::new(
                    EnrolAuth::Challenge(SecretString::from(challenge)),
                    false,
                    self.opts.theme.mono,
                ));
                vec![self.call(Slot::Auth, Call::Enrol(auth))]
            }
            AuthStep::PasswordChangeRequired { challenge, .. } => {
                self.after_forced_change = true;
                self.screen = Screen::Password(PasswordScreen::new(challenge));
                Vec::new()
            }
        }
    }

    fn note_for(&mut self, e: &ApiError) -> Option<Note> {
        if matches!(e, ApiError::Network(_) | ApiError::Untrusted(_)) {
            self.connection = Connection::Offline;
        } else {
            self.connection = Connection::Online;
        }
        let text = match e {
            ApiError::Server { code, .. } if code == codes::INVALID_CREDENTIALS => "Wrong email or password.".into(),
            ApiError::Server { code, .. } if code == codes::ACCOUNT_LOCKED => LOCKED_OUT.into(),
            ApiError::Server { code, .. } if code == codes::RATE_LIMITED => {
                "Too many attempts from this computer. Wait a minute, then try again.".into()
            }
            ApiError::Server { code, .. } if code == codes::INVALID_CODE => {
                "That code is wrong or was already used. Wait for the next code, then try again.".into()
            }
            ApiError::Network(_) => format!("{e}. Nothing you typed is lost: press Enter to try again."),
            ApiError::BadResponse { .. } | ApiError::TooLarge => format!(
                "Something is wrong with the server: {e}. Nothing you typed is lost: press Enter to try again in a minute, and tell your admin if it keeps happening."
            ),
            other => other.to_string(),
        };
        Note::error(text)
    }

    fn on_reply(&mut self, reply: Reply) -> Vec<Command> {
        self.dirty = true;
        match reply {
            Reply::Setting(Ok(s)) => {
                self.connection = Connection::Online;
                let known = identity::check(
                    self.opts.known_settings.as_deref(),
                    self.opts.server_url.as_str(),
                    &s.id,
                );
                self.identity_changed = known == Known::Changed;
                if let Screen::Login(l) = &mut self.screen {
                    l.identity_warning = self.identity_changed;
                }
                self.setting = Some(s);
                Vec::new()
            }
            Reply::Setting(Err(e)) => {
                let note = self.note_for(&e);
                if let Screen::Login(l) = &mut self.screen
                    && !l.busy
                {
                    l.note = note;
                }
                Vec::new()
            }
            Reply::Login(r) => {
                let Screen::Login(l) = &mut self.screen else {
                    return Vec::new();
                };
                match r {
                    Ok(step) => {
                        l.answered(None);
                        self.connection = Connection::Online;
                        self.auth_step(step)
                    }
                    Err(e) => {
                        // Only the server's own envelope says anything about the password; after
                        // any other failure the password is given back, so nothing is retyped.
                        let unanswered = !matches!(e, ApiError::Server { .. });
                        let note = self.note_for(&e);
                        if let Screen::Login(l) = &mut self.screen {
                            if unanswered {
                                l.unanswered(note)
                            } else {
                                l.answered(note)
                            }
                        }
                        Vec::new()
                    }
                }
            }
            Reply::Totp(r) | Reply::Password(r) => match r {
                Ok(step) => {
                    self.connection = Connection::Online;
                    self.auth_step(step)
                }
                Err(e) => self.auth_error(e),
            },
            Reply::Enrol(r) => match r {
                Ok(enrolment) => {
                    self.connection = Connection::Online;
                    if let Screen::Enrol(s) = &mut self.screen {
                        s.enrolment(enrolment);
                    }
                    Vec::new()
                }
                Err(e) => self.auth_error(e),
            },
            Reply::Confirm(r) => match r {
                Ok(step) => self.auth_step(step),
                Err(e) => self.auth_error(e),
            },
            Reply::Reauth(r) => match r {
                Ok(AuthStep::Ok { token, user, .. }) => {
                    self.signed_in(token, user);
                    self.lock = None;
                    self.connection = Connection::Online;
                    if let Screen::Enrol(s) = &self.screen
                        && s.waiting_for_secret()
                    {
                        let Some(token) = self.token() else { return Vec::new() };
                        return vec![self.call(Slot::Auth, Call::Enrol(Auth::Token(token)))];
                    }
                    match self.deferred_incidents.take() {
                        Some(cursor) => self.fetch_incidents(cursor),
                        None => Vec::new(),
                    }
                }
                Ok(_) => self.end_session(Note::error(EXPIRED)),
                Err(e) if e.is(codes::ACCOUNT_LOCKED) => self.end_session(Note::error(LOCKED_OUT)),
                Err(e) if e.session_ended() => self.end_session(Note::error(EXPIRED)),
                Err(e) => {
                    let note = match &e {
                        ApiError::Server { code, .. } if code == codes::INVALID_CREDENTIALS => {
                            Note::error("Wrong password. Too many failures lock the account.")
                        }
                        _ => self.note_for(&e),
                    };
                    if let Some(lock) = &mut self.lock {
                        lock.busy = false;
                        lock.note = note;
                    }
                    Vec::new()
                }
            },
            Reply::Incidents(r) => match r {
                Ok(page) => {
                    self.connection = Connection::Online;
                    let Screen::Dashboard(d) = &mut self.screen else {
                        return Vec::new();
                    };
                    let more = page.next_cursor.is_some();
                    d.add_page(page.items, page.total, more);
                    match page.next_cursor {
                        Some(c) => self.fetch_incidents(Some(c)),
                        None => Vec::new(),
                    }
                }
                Err(e) => self.data_error("Could not load the incidents", e),
            },
            Reply::Notifications(r) => match r {
                Ok(list) => {
                    if let Screen::Dashboard(d) = &mut self.screen {
                        d.set_notifications(list.items);
                    }
                    Vec::new()
                }
                Err(e) => self.data_error("Could not load your notifications", e),
            },
            Reply::Logout(_) => Vec::new(),
        }
    }

    fn data_error(&mut self, what: &str, e: ApiError) -> Vec<Command> {
        if e.session_ended() && self.session.is_some() {
            return self.end_session(Note::error(EXPIRED));
        }
        if let Screen::Dashboard(d) = &mut self.screen {
            d.loading = false;
        }
        self.connection = if matches!(e, ApiError::Network(_)) {
            Connection::Offline
        } else {
            Connection::Online
        };
        self.overlay = Some(Overlay::Error(format!("{what}: {e}")));
        Vec::new()
    }

    /// Setting up two-factor with a session needs a recent password (server rule): ask for it
    /// on the lock screen. Unlocking (`/auth/reauth`) makes the session recent and comes back
    /// to the enrolment, which fetches its secret again if it had none yet.
    fn confirm_it_is_you(&mut self) -> Vec<Command> {
        if let Screen::Enrol(s) = &mut self.screen {
            s.busy = false;
            s.note = Note::info("Thank you. Now type the code again to finish.");
        }
        let cmds = self.lock();
        if let Some(lock) = &mut self.lock {
            lock.note = Note::info("To set up two-factor, first confirm it is you: type your password.");
        }
        cmds
    }

    /// An error in the sign-in steps (code, enrolment, password change).
    fn auth_error(&mut self, e: ApiError) -> Vec<Command> {
        if e.is(codes::ACCOUNT_LOCKED) {
            return self.end_session(Note::error(LOCKED_OUT));
        }
        if e.is(codes::INVALID_CHALLENGE) {
            return self.end_session(Note::error("Signing in took too long. Please start again."));
        }
        if e.session_ended() && self.session.is_some() {
            return self.end_session(Note::error(EXPIRED));
        }
        if e.is(codes::REAUTH_REQUIRED) && self.session.is_some() {
            return self.confirm_it_is_you();
        }
        let note = self.note_for(&e);
        match &mut self.screen {
            Screen::Totp(s) => {
                s.busy = false;
                s.note = note;
            }
            Screen::Enrol(s) => {
                s.busy = false;
                s.note = note;
            }
            Screen::Password(s) => {
                s.busy = false;
                s.note = note;
            }
            _ => {}
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::lock::ManualClock;
    use crossterm::event::KeyModifiers;

    fn app(clock: Arc<ManualClock>) -> App {
        App::new(AppOptions {
            server_url: Url::parse("http://127.0.0.1:9").unwrap(),
            idle_lock: Duration::from_secs(60),
            privacy_mode: false,
            theme: Theme { mono: true },
            clock,
            known_settings: None,
        })
    }

    fn user() -> wire::User {
        wire::User {
            id: 1,
            email: "t@x.test".into(),
            display_name: "Tess".into(),
            role: wire::Role::Staff,
            totp_enabled: false,
        }
    }

    #[test]
    fn idle_lock_checks_at_every_event_and_replies_do_not_reset_it() {
        let clock = Arc::new(ManualClock::default());
        let mut a = app(clock.clone());
        a.signed_in("tok".into(), user());
        a.overlay = Some(Overlay::Help);
        clock.advance(Duration::from_secs(59));
        a.update(Action::Resize);
        a.update(Action::Api {
            slot: Slot::Notifications,
            id: 999,
            reply: Reply::Logout(Ok(())),
        });
        assert!(!a.is_locked());
        clock.advance(Duration::from_secs(1));
        let cmds = a.update(Action::Resize);
        assert!(a.is_locked());
        assert!(matches!(cmds.as_slice(), [Command::ClearTerminal]));
        assert_eq!(
            a.overlay(),
            Some(&Overlay::Help),
            "the overlay is kept underneath, hidden"
        );
    }

    #[test]
    fn an_idle_sign_in_step_goes_back_to_the_sign_in_screen() {
        let clock = Arc::new(ManualClock::default());
        let mut a = app(clock.clone());
        assert_eq!(a.lock_remaining(), None, "the sign-in screen itself never times out");
        a.screen = Screen::Enrol(EnrolScreen::new(
            EnrolAuth::Challenge(SecretString::from("chal")),
            false,
            true,
        ));
        assert_eq!(a.lock_remaining(), Some(Duration::from_secs(60)));
        clock.advance(Duration::from_secs(59));
        a.update(Action::Resize);
        assert!(matches!(a.screen, Screen::Enrol(_)));
        clock.advance(Duration::from_secs(1));
        let cmds = a.update(Action::Resize);
        assert!(matches!(cmds.as_slice(), [Command::ClearTerminal]));
        let Screen::Login(login) = &a.screen else {
            panic!("expected the sign-in screen, got {:?}", a.screen.title())
        };
        assert_eq!(login.note.as_ref().map(|n| n.text.as_str()), Some(SIGN_IN_TIMED_OUT));
        assert_eq!(a.lock_remaining(), None);
    }

    #[test]
    fn ctrl_l_locks_only_when_signed_in() {
        let clock = Arc::new(ManualClock::default());
        let mut a = app(clock);
        let ctrl_l = KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL);
        a.update(Action::Key(ctrl_l));
        assert!(!a.is_locked());
        a.signed_in("tok".into(), user());
        a.update(Action::Key(ctrl_l));
        assert!(a.is_locked());
        assert_eq!(a.lock_remaining(), None);
    }
}
