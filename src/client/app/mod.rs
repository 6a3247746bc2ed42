//! `App`: the client state that is truly global, and `App::update(action) -> Vec<Command>`.
//!
//! What the App holds: the session, the lock, the pop-ups, where the user is (the sign-in flow,
//! or the stack of signed-in pages), the connection, and the calls in flight. Everything about
//! one screen lives in that screen's folder (`screens/`); the App only routes keys to it,
//! replies back to whoever asked ([`crate::client::call`]), and carries out the effects it
//! records ([`crate::client::screens::Cx`]).
//!
//! - **Keys**, in order: the lock screen (while locked it gets every key); the keys that work
//!   everywhere (`Ctrl-L`, `F1`, `Ctrl-C`); the open pop-up; the sign-in flow or the top page;
//!   then, outside text fields, the global keys of the pages (`?`, `d`, `v`, `Esc`, `q`, the
//!   letters of later screens). A key nobody uses says so on the status line.
//! - **Idle lock** (SECURITY.md 38, 39): every action first checks the idle timer (by both
//!   clocks), so the lock also replaces any pop-up at the next event. Only key presses and
//!   pastes touch the timer; replies, resizes and timers never do. Every way into the unlocked
//!   state (sign-in, unlock) starts it. Before anyone has signed in, the same idle time forgets
//!   what was typed on "Sign in" and sends a later step back to the start.
//! - **Calls while locked** wait, whatever asked for them (a next page, a refresh), and go out
//!   after the unlock with the new token; only unlocking and signing out may go while locked.
//! - **Deadlines**: [`App::next_deadline`] is the earliest of the idle lock, the sign-in reset,
//!   the next try while offline and the top page's own deadline. The loop sleeps until then;
//!   there is no tick.
//!
//! Drawing lives in the child module `view`.

mod view;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;
use url::Url;

use super::action::{Action, Delivery};
use super::api::{Answer, ApiError, Request};
use super::call::{Call, Route, Typed, take};
use super::command::Command;
use super::connection::Connection;
use super::dates::Dates;
use super::glyphs::Glyphs;
use super::identity::{self, Known};
use super::keymap::{self, Binding, Destination, KeyAction};
use super::lock::{Clock, IdleTimer};
use super::outbox::{Outbox, Outgoing, Settled, Undone};
use super::print::Printout;
use super::privacy::Privacy;
use super::screens::lock::{LockOutcome, LockScreen};
use super::screens::sign_in::{Idle, Outcome, SignIn};
use super::screens::{self, Cx, Effect, Note, Page};
use super::session::Session;
use super::theme::Theme;
use super::widgets::text_field::EDITING;
use crate::wire::{self, Setting, User};

/// Said when the server has ended the session.
pub const EXPIRED: &str = "Your session has expired. Sign in again.";
/// Said when a sign-in step past the first screen was left idle.
pub const SIGN_IN_TIMED_OUT: &str = "Signing in timed out. Start again.";

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
    /// Symbols.
    pub glyphs: Glyphs,
    /// How times are shown.
    pub dates: Dates,
    /// The clocks (injected in tests).
    pub clock: Arc<dyn Clock>,
    /// Where setting identities are remembered (`None`: not remembered).
    pub known_settings: Option<PathBuf>,
    /// Where downloads are saved (`None`: nowhere, and a download says so).
    pub export_dir: Option<PathBuf>,
    /// The print spooler and its arguments (`None`: a printout is saved as a file).
    pub print_command: Option<Vec<String>>,
}

/// A pop-up over the screen (the top one has the keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    /// The keys of the current screen, scrolled down by this many rows (when they do not all
    /// fit the window).
    Help(usize),
    /// "Quit? What you typed will be lost."
    QuitConfirm,
    /// An error.
    Error(String),
    /// Something the user must not miss (e.g. how many recovery codes are left).
    Info(String),
}

/// A page on the stack with its id (replies find it by id).
struct Placed {
    id: u64,
    page: Box<dyn Page>,
}

/// Where the user is.
enum Mode {
    /// Signing in (also the set-up that follows: optional 2FA, the recovery codes).
    SignIn(Box<SignIn>),
    /// Signed in: the pages, the top one shown.
    Pages(Vec<Placed>),
}

/// The App's own replies.
enum AppReply {
    /// `GET /setting` (also the connection probe).
    Setting(Result<Setting, ApiError>),
    /// `POST /auth/logout` (nobody waits for it).
    Logout,
    /// `GET /me`: what the user may do (for the user with this id).
    Me(i64, Result<wire::Me, ApiError>),
}

/// The answer to a record of the outbox.
struct OutboxReply {
    key: uuid::Uuid,
    result: Result<(), ApiError>,
}

/// Calls in flight and waiting.
#[derive(Default)]
struct Calls {
    next_id: u64,
    /// Counts up each time the session's token changes (sign-in, unlock).
    token_generation: u64,
    /// The generation at which the current session began: answers to calls made with an
    /// earlier session's token are dropped, whatever they say.
    session_generation: u64,
    /// The latest call of each route and slot: older answers are stale.
    latest: HashMap<(Route, &'static str), u64>,
    /// Calls waiting for the unlock.
    held: Vec<(Route, Call)>,
}

/// The client.
pub struct App {
    opts: AppOptions,
    idle: IdleTimer,
    setting: Option<Setting>,
    identity_changed: bool,
    /// The server's certificate was refused: why, said loudly on "Sign in".
    untrusted: Option<String>,
    connection: Connection,
    session: Option<Session>,
    mode: Mode,
    lock: Option<LockScreen>,
    overlays: Vec<Overlay>,
    status: Option<String>,
    privacy: Privacy,
    calls: Calls,
    /// Records waiting for the server (clicks, undos, communications, responses).
    outbox: Outbox,
    /// Ctrl-S on the lock screen was pressed once with records still waiting: the next one
    /// switches user anyway.
    switch_asked: bool,
    next_page_id: u64,
    /// After the unlock, the sign-in flow goes on (setting up 2FA needed the password).
    resume_after_unlock: bool,
    /// The terminal went away (no one can see or type).
    gone: bool,
    dirty: bool,
    quit: bool,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("screen", &self.title())
            .field("signed_in", &self.session.is_some())
            .field("locked", &self.lock.is_some())
            .field("overlays", &self.overlays.len())
            .field("connection", &self.connection)
            .finish_non_exhaustive()
    }
}

impl App {
    /// A client showing the sign-in screen ("Connecting to …" until the setting arrives).
    pub fn new(opts: AppOptions) -> App {
        let idle = IdleTimer::new(opts.idle_lock, opts.clock.as_ref());
        let privacy = Privacy {
            on: opts.privacy_mode,
            revealed: false,
        };
        let mono = opts.theme.mono;
        App {
            opts,
            idle,
            setting: None,
            identity_changed: false,
            untrusted: None,
            connection: Connection::Connecting,
            session: None,
            mode: Mode::SignIn(Box::new(SignIn::new(None, mono))),
            lock: None,
            overlays: Vec::new(),
            status: None,
            privacy,
            calls: Calls::default(),
            outbox: Outbox::new(),
            switch_asked: false,
            next_page_id: 0,
            resume_after_unlock: false,
            gone: false,
            dirty: true,
            quit: false,
        }
    }

    /// The first commands: ask for the setting.
    pub fn start(&mut self) -> Vec<Command> {
        let mut out = Vec::new();
        self.fetch_setting(&mut out);
        out
    }

    /// True when the state changed since the last [`App::mark_drawn`].
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// The frame was drawn.
    pub fn mark_drawn(&mut self) {
        self.dirty = false;
    }

    /// True once the user asked to quit (or the terminal went away).
    pub fn quitting(&self) -> bool {
        self.quit
    }

    /// True while the lock screen is shown.
    pub fn is_locked(&self) -> bool {
        self.lock.is_some()
    }

    /// The title of what is shown (under the lock).
    pub fn title(&self) -> String {
        match &self.mode {
            Mode::SignIn(flow) => flow.title().to_string(),
            Mode::Pages(pages) => pages.last().map(|p| p.page.title()).unwrap_or_default(),
        }
    }

    /// The top pop-up, if any.
    pub fn overlay(&self) -> Option<&Overlay> {
        self.overlays.last()
    }

    /// The user signed in, if any.
    pub fn user(&self) -> Option<&wire::User> {
        self.session.as_ref().map(|s| &s.user)
    }

    /// The setting, once the server described it.
    pub fn setting(&self) -> Option<&Setting> {
        self.setting.as_ref()
    }

    /// Whether the server answers.
    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// The top page as `T`, if it is one (tests).
    pub fn page<T: 'static>(&self) -> Option<&T> {
        match &self.mode {
            Mode::Pages(pages) => pages.last().and_then(|p| p.page.as_any().downcast_ref::<T>()),
            Mode::SignIn(_) => None,
        }
    }

    /// The sign-in flow, while signing in (tests).
    pub fn sign_in(&self) -> Option<&SignIn> {
        match &self.mode {
            Mode::SignIn(flow) => Some(flow),
            Mode::Pages(_) => None,
        }
    }

    /// How many pages are on the stack.
    pub fn depth(&self) -> usize {
        match &self.mode {
            Mode::Pages(pages) => pages.len(),
            Mode::SignIn(_) => 0,
        }
    }

    /// True once the terminal went away.
    pub fn terminal_gone(&self) -> bool {
        self.gone
    }

    /// How many records wait for the server.
    pub fn pending(&self) -> usize {
        self.outbox.len()
    }

    /// The requests of every record still waiting (on exit: sent once more, best effort; each
    /// carries its client-made id, so one that had landed is not recorded twice).
    pub fn unsent(&self) -> Vec<super::api::Request> {
        self.outbox.requests()
    }

    /// Take the session out (on exit, to sign out).
    pub fn take_session(&mut self) -> Option<Session> {
        self.session.take()
    }

    fn now(&self) -> DateTime<Utc> {
        DateTime::<Utc>::from(self.opts.clock.system())
    }

    fn instant(&self) -> Instant {
        self.opts.clock.instant()
    }

    fn cx(&self) -> Cx {
        Cx::new(self.now(), self.instant()).with_dates(self.opts.dates)
    }

    /// How long the loop may sleep before [`Action::Deadline`] is due, when anything is due
    /// at all (`None`: sleep until a key or a reply).
    pub fn next_deadline(&self) -> Option<Duration> {
        let clock = self.opts.clock.as_ref();
        let now = clock.instant();
        let mut due: Vec<Duration> = Vec::new();
        let idle_matters = match (&self.session, &self.mode) {
            (Some(_), _) => self.lock.as_ref().is_none_or(LockScreen::holds_text),
            (None, Mode::SignIn(flow)) => flow.idle() != Idle::Nothing,
            (None, Mode::Pages(_)) => false,
        };
        if idle_matters {
            due.push(self.idle.remaining(clock));
        }
        if let Some(at) = self.outbox.retry_at().filter(|_| self.session.is_some()) {
            due.push(at.saturating_duration_since(now));
        }
        if self.lock.is_none() {
            if let Some(at) = self.connection.retry_at() {
                due.push(at.saturating_duration_since(now));
            }
            if let Some(at) = self.top_page().and_then(|p| p.page.deadline()) {
                due.push(at.saturating_duration_since(now));
            }
        }
        due.into_iter().min()
    }

    fn top_page(&self) -> Option<&Placed> {
        match &self.mode {
            Mode::Pages(pages) => pages.last(),
            Mode::SignIn(_) => None,
        }
    }

    /// Handle one action.
    pub fn update(&mut self, action: Action) -> Vec<Command> {
        let mut out = Vec::new();
        // The key that meets an expired timer only locks (or forgets): it reaches no screen,
        // not even the lock screen's password field.
        let interrupted = self.check_idle(&mut out);
        match action {
            Action::Key(_) if interrupted => self.idle.touch(self.opts.clock.as_ref()),
            Action::Key(key) => {
                self.idle.touch(self.opts.clock.as_ref());
                self.dirty = true;
                self.on_key(key, &mut out);
            }
            Action::Paste(mut text) => {
                self.idle.touch(self.opts.clock.as_ref());
                if !interrupted {
                    self.dirty = true;
                    self.on_paste(&text, &mut out);
                }
                // A paste is often a password or a recovery code: wipe it once used.
                zeroize::Zeroize::zeroize(&mut text);
            }
            Action::Resize => self.dirty = true,
            Action::Deadline => self.on_deadline(&mut out),
            Action::Reply(delivery) => self.on_delivery(delivery, &mut out),
            Action::Printed(printout, result) => {
                self.dirty = true;
                let program = printout.argv.first().cloned().unwrap_or_default();
                match result {
                    Ok(()) => self.status = Some(format!("Printed {} ({program} took it).", printout.what)),
                    // A printout that did not print is not to be missed: a pop-up (it wraps,
                    // where the status line is cut) saying why and where it was kept.
                    Err(why) => {
                        let kept = match self.save_file(&printout.filename, &printout.text) {
                            Ok(path) => format!("It is saved to {path}, to print from there."),
                            Err(not_saved) => not_saved,
                        };
                        self.status = Some(format!("Not printed: {why}."));
                        self.overlays
                            .push(Overlay::Error(format!("Not printed: {why}.\n\n{kept}")));
                    }
                }
            }
            Action::Terminate => {
                self.quit = true;
                out.push(Command::Quit);
            }
            Action::InputEnded => {
                // The terminal is gone: nobody can see or type; drop every secret now.
                self.wipe();
                self.gone = true;
                self.quit = true;
                out.push(Command::Quit);
            }
        }
        if !self.quit {
            self.pump_outbox(&mut out);
        }
        out
    }

    /// Send what the outbox has ready, for the user signed in (also while locked: locking does
    /// not stop the records going).
    fn pump_outbox(&mut self, out: &mut Vec<Command>) {
        let Some(session) = &self.session else { return };
        if self.outbox.owner().is_some_and(|owner| owner != session.user.id) {
            return;
        }
        for (key, request) in self.outbox.ready(self.opts.clock.instant()) {
            let call = Call::new("outbox", request, move |r: Result<Answer, ApiError>| OutboxReply {
                key,
                result: r.map(|_| ()),
            })
            .while_locked();
            self.dispatch(Route::Outbox, call, out);
        }
    }

    /// An answer to a record of the outbox.
    fn on_outbox_reply(&mut self, reply: Typed, out: &mut Vec<Command>) {
        let Some(OutboxReply { key, result }) = take::<OutboxReply>(reply) else {
            return;
        };
        let (what, landed) = match self.outbox.settle(key, result, self.opts.clock.instant()) {
            Settled::Refused(what, e) => {
                let privacy = self.privacy;
                let said = what.describe(|name| privacy.name(name));
                self.overlays.push(Overlay::Error(format!(
                    "The server refused {said}, so it was not recorded: {e}"
                )));
                (what, false)
            }
            Settled::Landed(what) => (what, true),
            Settled::Waiting | Settled::Unknown => return,
        };
        // Every page may be showing it: a profile asks for its thread again, the clicker takes
        // a refused click off its count, a form learns its report was recorded.
        self.each_page(out, |page, cx| page.settled(&what, landed, cx));
    }

    /// Let every page on the stack, bottom first, do `f`, and carry out what each asked.
    fn each_page(&mut self, out: &mut Vec<Command>, mut f: impl FnMut(&mut dyn Page, &mut Cx)) {
        let ids: Vec<u64> = match &self.mode {
            Mode::Pages(pages) => pages.iter().map(|p| p.id).collect(),
            Mode::SignIn(_) => Vec::new(),
        };
        for id in ids {
            let mut cx = self.cx();
            if let Mode::Pages(pages) = &mut self.mode
                && let Some(placed) = pages.iter_mut().find(|p| p.id == id)
            {
                f(placed.page.as_mut(), &mut cx);
            }
            self.apply(Route::Page(id), cx, out);
        }
    }

    /// A screen asked to record `what`.
    fn send(&mut self, what: Outgoing) {
        let Some(user) = self.session.as_ref().map(|s| s.user.id) else {
            return;
        };
        self.outbox.push(user, what);
    }

    /// Drop what nobody may keep: the lock's and the flow's fields, the pages, the waiting
    /// calls. The session stays (the runner signs it out on the way out, then drops it).
    fn wipe(&mut self) {
        self.lock = None;
        self.overlays.clear();
        self.calls.held.clear();
        self.mode = Mode::SignIn(Box::new(SignIn::new(None, self.opts.theme.mono)));
    }

    /// The idle time passed (by either clock): lock, or, before anyone signed in, forget what
    /// was typed or start again. Answers true when it did something.
    fn check_idle(&mut self, out: &mut Vec<Command>) -> bool {
        let clock = self.opts.clock.as_ref();
        if !self.idle.expired(clock) {
            return false;
        }
        if self.session.is_some() {
            match &mut self.lock {
                None => self.lock(None, out),
                Some(lock) if lock.holds_text() => {
                    lock.forget(Note::info(format!(
                        "What was typed was cleared after {} without a key.",
                        minutes(self.opts.idle_lock)
                    )));
                    self.dirty = true;
                }
                Some(_) => return false,
            }
            return true;
        }
        let Mode::SignIn(flow) = &mut self.mode else {
            return false;
        };
        match flow.idle() {
            Idle::Nothing => false,
            Idle::ForgetTyped => {
                let mut cx = Cx::new(DateTime::<Utc>::from(clock.system()), clock.instant());
                flow.forget_typed(minutes(self.opts.idle_lock), &mut cx);
                self.apply(Route::SignIn, cx, out);
                self.dirty = true;
                out.push(Command::ClearTerminal);
                true
            }
            Idle::Restart => {
                self.end_session(Note::error(SIGN_IN_TIMED_OUT), out);
                true
            }
        }
    }

    fn lock(&mut self, note: Option<Note>, out: &mut Vec<Command>) {
        if self.session.is_none() {
            return;
        }
        // A form saves its draft first: its calls go out before the lock holds calls back.
        self.each_page(out, |page, cx| page.keep(cx));
        let Some(session) = &self.session else { return };
        self.lock = Some(LockScreen::new(session.user.display_name.clone(), note));
        // Names revealed for one person are hidden again for whoever unlocks.
        self.privacy.revealed = false;
        self.status = None;
        self.dirty = true;
        out.push(Command::ClearTerminal);
    }

    fn on_deadline(&mut self, out: &mut Vec<Command>) {
        if self.lock.is_some() {
            return;
        }
        let now = self.instant();
        if self.connection.retry_at().is_some_and(|at| at <= now) {
            self.connection.retrying(now);
            self.fetch_setting(out);
        }
        let due = self
            .top_page()
            .and_then(|p| p.page.deadline())
            .is_some_and(|at| at <= now);
        if due {
            self.with_top_page(out, |page, cx| page.on_deadline(cx));
        }
    }

    fn fetch_setting(&mut self, out: &mut Vec<Command>) {
        let call = Call::new("setting", Request::get("/setting"), |r: Result<Answer, ApiError>| {
            AppReply::Setting(r.and_then(Answer::typed))
        });
        self.dispatch(Route::App, call, out);
    }

    fn fetch_me(&mut self, out: &mut Vec<Command>) {
        let Some(id) = self.session.as_ref().map(|s| s.user.id) else {
            return;
        };
        let call = Call::new(
            "me",
            Request::get("/me").session(),
            move |r: Result<Answer, ApiError>| AppReply::Me(id, r.and_then(Answer::typed)),
        );
        self.dispatch(Route::App, call, out);
    }

    /// Give `call` an id and send it, or hold it while locked. A session call without a
    /// session is dropped.
    fn dispatch(&mut self, route: Route, call: Call, out: &mut Vec<Command>) {
        if self.lock.is_some() && !call.while_locked {
            self.calls.held.push((route, call));
            return;
        }
        let token = match (call.request.session, &self.session) {
            (true, Some(s)) => Some((s.token(), self.calls.token_generation)),
            (true, None) => return,
            (false, _) => None,
        };
        self.calls.next_id += 1;
        let id = self.calls.next_id;
        if route != Route::Outbox {
            self.calls.latest.insert((route, call.slot), id);
        }
        out.push(Command::Call(call.pending(id, route, token)));
    }

    /// Carry out what a screen of `route` recorded.
    fn apply(&mut self, route: Route, cx: Cx, out: &mut Vec<Command>) {
        for effect in cx.into_effects() {
            match effect {
                Effect::Call(call) => self.dispatch(route, call, out),
                Effect::Say(text) => self.status = Some(text),
                Effect::Error(text) => self.overlays.push(Overlay::Error(text)),
                Effect::Open(destination) => self.open(destination, out),
                Effect::Push(screens::Pushed(page)) => self.place(page, out),
                Effect::Back => self.back(out),
                Effect::Cancel(slot) => {
                    self.calls.latest.remove(&(route, slot));
                }
                Effect::Help => self.toggle_help(),
                Effect::Send(what) => self.send(what),
                Effect::Save {
                    filename,
                    content,
                    what,
                } => self.status = Some(self.save_download(&filename, &content, what.as_deref().unwrap_or(""))),
                Effect::Print { filename, text, what } => match self.opts.print_command.clone() {
                    Some(argv) => {
                        self.status = Some(format!("Sending {what} to the printer…"));
                        out.push(Command::Print(Printout {
                            argv,
                            filename,
                            text,
                            what,
                        }));
                    }
                    None => {
                        self.status = Some(match self.save_file(&filename, &text) {
                            Ok(path) => format!("Saved to {path}: no printer is set (print_command in the config)."),
                            Err(not_saved) => format!("Not printed: no printer is set. {not_saved}"),
                        });
                    }
                },
                Effect::Undo {
                    click,
                    behaviour,
                    individual,
                } => {
                    let name = self.privacy.name(&individual);
                    self.status = Some(match self.outbox.undo(click, behaviour.clone(), individual) {
                        Undone::BeforeSending => format!("Undone: {behaviour} for {name} (it had not been sent yet)."),
                        Undone::Queued => format!("Undone: {behaviour} for {name}."),
                    });
                }
            }
        }
    }

    /// Run `f` on the top page with a fresh context, then carry out its effects.
    fn with_top_page<R>(&mut self, out: &mut Vec<Command>, f: impl FnOnce(&mut dyn Page, &mut Cx) -> R) -> Option<R> {
        let mut cx = self.cx();
        let Mode::Pages(pages) = &mut self.mode else {
            return None;
        };
        let top = pages.last_mut()?;
        let id = top.id;
        let result = f(top.page.as_mut(), &mut cx);
        self.apply(Route::Page(id), cx, out);
        Some(result)
    }

    /// Open `destination` on top (the Dashboard resets the stack to itself).
    fn open(&mut self, destination: Destination, out: &mut Vec<Command>) {
        if destination == Destination::Dashboard
            && let Mode::Pages(pages) = &mut self.mode
            && !pages.is_empty()
        {
            pages.truncate(1);
            return;
        }
        let Some(page) = screens::open(destination) else {
            self.status = Some(format!("{} comes in a later release.", destination.title()));
            return;
        };
        self.place(page, out);
    }

    /// Put `page` on top of the stack and start it.
    fn place(&mut self, page: Box<dyn Page>, out: &mut Vec<Command>) {
        self.next_page_id += 1;
        let placed = Placed {
            id: self.next_page_id,
            page,
        };
        match &mut self.mode {
            Mode::Pages(pages) => pages.push(placed),
            Mode::SignIn(_) => self.mode = Mode::Pages(vec![placed]),
        }
        self.with_top_page(out, |page, cx| page.start(cx));
    }

    /// Close the top page; the last one cannot be closed this way.
    fn back(&mut self, out: &mut Vec<Command>) {
        if let Mode::Pages(pages) = &mut self.mode {
            if pages.len() > 1 {
                pages.pop();
                self.with_top_page(out, |page, cx| page.revealed(cx));
            } else {
                self.status = Some("This is the first page: q quits.".into());
            }
        }
    }

    fn on_paste(&mut self, text: &str, out: &mut Vec<Command>) {
        if let Some(lock) = &mut self.lock {
            return lock.paste(text);
        }
        if !self.overlays.is_empty() {
            return;
        }
        match &mut self.mode {
            Mode::SignIn(flow) => flow.paste(text),
            Mode::Pages(_) => {
                self.with_top_page(out, |page, cx| page.paste(text, cx));
            }
        }
    }

    fn on_key(&mut self, key: KeyEvent, out: &mut Vec<Command>) {
        if self.lock.is_some() {
            return self.on_lock_key(key, out);
        }
        self.status = None;
        match keymap::lookup(&[keymap::ALWAYS], &key) {
            Some(KeyAction::Lock) => {
                if self.session.is_some() {
                    self.lock(None, out);
                } else {
                    self.status = Some("Nothing to lock: nobody is signed in.".into());
                }
                return;
            }
            Some(KeyAction::Help) => return self.toggle_help(),
            Some(KeyAction::Quit) => return self.request_quit(out),
            _ => {}
        }
        if let Some(overlay) = self.overlays.last() {
            return self.on_overlay_key(overlay.clone(), key, out);
        }
        let mut cx = self.cx();
        if let Mode::SignIn(flow) = &mut self.mode {
            if !flow.edits_text() && keymap::lookup(&[keymap::GLOBAL], &key) == Some(KeyAction::Help) {
                return self.toggle_help();
            }
            match flow.key(key, &mut cx, self.setting.is_some()) {
                Some(outcome) => self.flow_done(outcome, cx, out),
                None => self.status = Some(nothing_here(&key, &self.opts.glyphs)),
            }
            return;
        }
        let edits_text = self.top_page().is_some_and(|p| p.page.edits_text() || p.page.modal());
        if self.with_top_page(out, |page, cx| page.key(key, cx)) == Some(true) || edits_text {
            return;
        }
        match keymap::lookup(&[keymap::GLOBAL], &key) {
            Some(KeyAction::Help) => self.toggle_help(),
            Some(KeyAction::Reveal) if self.privacy.on => {
                self.privacy.revealed = !self.privacy.revealed;
                self.status = Some(if self.privacy.revealed {
                    "Full names shown: v hides them again.".into()
                } else {
                    "Names hidden: v shows them.".into()
                });
            }
            Some(KeyAction::Reveal) => {
                self.status = Some("Privacy mode is off: names are shown in full already.".into());
            }
            Some(KeyAction::Back) => self.back(out),
            Some(KeyAction::BackOrQuit) if self.depth() <= 1 => self.request_quit(out),
            Some(KeyAction::BackOrQuit) => self.back(out),
            Some(KeyAction::Go(destination)) => self.open(destination, out),
            _ if keymap::lookup(&[keymap::ADMIN], &key).is_some() => {
                if self.administers() {
                    self.open(Destination::Admin, out);
                } else if self.session.as_ref().is_some_and(|s| s.permissions.is_none()) {
                    // Signed in, the server's /me not come yet: not a refusal, a wait.
                    self.status =
                        Some("Your permissions are still coming from the server: press A again in a moment.".into());
                } else {
                    self.status = Some("Admin is for admins.".into());
                }
            }
            _ => self.status = Some(nothing_here(&key, &self.opts.glyphs)),
        }
    }

    /// Save a download (`what` it holds, for the sentence: "12 rows") in the download folder,
    /// and say where, or why not.
    fn save_download(&self, filename: &str, content: &str, what: &str) -> String {
        let what = if what.is_empty() {
            String::new()
        } else {
            format!(" {what}")
        };
        match self.save_file(filename, content) {
            Ok(path) => format!("Saved{what} to {path}"),
            Err(not_saved) => not_saved,
        }
    }

    /// Save a download in the download folder: where, or a sentence saying why not.
    fn save_file(&self, filename: &str, content: &str) -> Result<String, String> {
        match &self.opts.export_dir {
            None => Err("Not saved: no folder for downloads is set (export_dir in the config).".into()),
            Some(dir) => match crate::client::export::save(dir, filename, content) {
                Ok(path) => Ok(path.display().to_string()),
                Err(e) => Err(format!("Not saved to {}: {e}", dir.display())),
            },
        }
    }

    /// `GET /me` said the user signed in may administer.
    pub fn administers(&self) -> bool {
        self.session.as_ref().is_some_and(Session::administers)
    }

    fn toggle_help(&mut self) {
        if matches!(self.overlays.last(), Some(Overlay::Help(_))) {
            self.overlays.pop();
        } else {
            self.overlays.push(Overlay::Help(0));
        }
    }

    fn on_overlay_key(&mut self, overlay: Overlay, key: KeyEvent, out: &mut Vec<Command>) {
        use crossterm::event::KeyCode;
        match (overlay, key.code) {
            (Overlay::QuitConfirm, KeyCode::Char('y' | 'Y')) => {
                self.quit = true;
                out.push(Command::Quit);
            }
            (Overlay::QuitConfirm, KeyCode::Char('n' | 'N') | KeyCode::Esc) => {
                self.overlays.pop();
            }
            (Overlay::QuitConfirm, _) => self.status = Some("y quits, n or Esc stays.".into()),
            (Overlay::Help(_), KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q' | '?')) => {
                self.overlays.pop();
            }
            (
                Overlay::Help(top),
                KeyCode::Down
                | KeyCode::Char('j')
                | KeyCode::PageDown
                | KeyCode::Up
                | KeyCode::Char('k')
                | KeyCode::PageUp,
            ) => {
                let top = match key.code {
                    KeyCode::Down | KeyCode::Char('j') => top.saturating_add(1),
                    KeyCode::PageDown => top.saturating_add(10),
                    KeyCode::PageUp => top.saturating_sub(10),
                    _ => top.saturating_sub(1),
                };
                let top = top.min(self.help_rows().len());
                if let Some(last) = self.overlays.last_mut() {
                    *last = Overlay::Help(top);
                }
            }
            (Overlay::Error(_) | Overlay::Info(_), KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q')) => {
                self.overlays.pop();
            }
            _ => self.status = Some("Esc closes this first.".into()),
        }
    }

    fn on_lock_key(&mut self, key: KeyEvent, out: &mut Vec<Command>) {
        let mut cx = self.cx();
        let Some(lock) = &mut self.lock else { return };
        let outcome = lock.key(key, &mut cx);
        self.apply(Route::Lock, cx, out);
        self.on_lock_outcome(outcome, out);
    }

    fn on_lock_outcome(&mut self, outcome: LockOutcome, out: &mut Vec<Command>) {
        match outcome {
            LockOutcome::Stay => {}
            LockOutcome::Quit => {
                self.quit = true;
                out.push(Command::Quit);
            }
            LockOutcome::SwitchUser if !self.outbox.is_empty() && !self.switch_asked => {
                self.switch_asked = true;
                if let Some(lock) = &mut self.lock {
                    lock.note = Note::error(format!(
                        "{} not reached the server yet. Switching user now loses them: Ctrl-S again switches anyway; unlocking lets them go.",
                        have(self.outbox.len())
                    ));
                }
            }
            LockOutcome::SwitchUser => {
                self.switch_asked = false;
                self.outbox.clear();
                self.sign_out(out);
                self.end_session(Note::info("Signed out. The next person can sign in."), out);
            }
            LockOutcome::Ended(note) => {
                let expired = note.as_ref().is_some_and(|n| n.text == EXPIRED);
                let note = if expired { self.expired() } else { note };
                self.end_session(note, out);
            }
            LockOutcome::Unlocked { token, user } => {
                self.switch_asked = false;
                self.signed_in(token, user, out);
                self.lock = None;
                for (route, call) in std::mem::take(&mut self.calls.held) {
                    self.dispatch(route, call, out);
                }
                let mut cx = self.cx();
                if std::mem::take(&mut self.resume_after_unlock)
                    && let Mode::SignIn(flow) = &mut self.mode
                {
                    flow.resume(&mut cx);
                    self.apply(Route::SignIn, cx, out);
                }
            }
        }
    }

    /// Revoke the session on the server (nobody waits for the answer).
    fn sign_out(&mut self, out: &mut Vec<Command>) {
        let call = Call::new(
            "logout",
            Request::post("/auth/logout").session(),
            |_: Result<Answer, ApiError>| AppReply::Logout,
        )
        .while_locked();
        self.dispatch(Route::App, call, out);
    }

    fn request_quit(&mut self, out: &mut Vec<Command>) {
        let draft = match &self.mode {
            Mode::SignIn(flow) => flow.has_draft(),
            Mode::Pages(pages) => pages.iter().any(|p| p.page.has_draft()),
        };
        if draft || !self.outbox.is_empty() {
            if self.overlays.last() != Some(&Overlay::QuitConfirm) {
                // A form saves its draft now, so that quitting loses as little as it can.
                self.each_page(out, |page, cx| page.keep(cx));
                self.overlays.push(Overlay::QuitConfirm);
            }
        } else {
            self.quit = true;
            out.push(Command::Quit);
        }
    }

    /// The sign-in flow handled something: carry out its outcome, then (unless it started
    /// again) the calls it asked for, which may need the session the outcome installed.
    fn flow_done(&mut self, outcome: Outcome, cx: Cx, out: &mut Vec<Command>) {
        let restarted = matches!(outcome, Outcome::Restart(_));
        self.on_outcome(outcome, out);
        if !restarted {
            self.apply(Route::SignIn, cx, out);
        }
    }

    fn on_outcome(&mut self, outcome: Outcome, out: &mut Vec<Command>) {
        match outcome {
            Outcome::Stay => {}
            Outcome::Session {
                token,
                user,
                recovery_codes_left,
            } => {
                self.signed_in(token, user, out);
                if let Some(left) = recovery_codes_left {
                    self.overlays.push(Overlay::Info(codes_left(left)));
                }
                if matches!(&self.mode, Mode::SignIn(flow) if flow.done()) {
                    self.open(Destination::Dashboard, out);
                }
            }
            Outcome::Done => self.open(Destination::Dashboard, out),
            Outcome::Restart(note) => self.end_session(note, out),
            Outcome::ConfirmPassword => {
                self.resume_after_unlock = true;
                self.lock(
                    Note::info("To set up two-factor, first confirm it is you: type your password."),
                    out,
                );
            }
        }
    }

    /// Signed in (or the token rotated): start the idle timer, ask what the user may do
    /// (`GET /me`: 2FA just set up may make an admin of them), and go on.
    fn signed_in(&mut self, token: String, user: User, out: &mut Vec<Command>) {
        self.calls.token_generation += 1;
        match &mut self.session {
            Some(s) if s.user.id == user.id => {
                s.rotate(token);
                s.user = user;
            }
            _ => {
                self.calls.session_generation = self.calls.token_generation;
                let dropped = self.outbox.claim(user.id);
                if dropped > 0 {
                    self.overlays.push(Overlay::Info(format!(
                        "{} made on this computer by the person signed in before you never reached the server, and will not be sent under your name.",
                        records(dropped)
                    )));
                }
                self.session = Some(Session::new(token, user));
            }
        }
        // Whatever was on its way carried the old token: all of it goes again with the new one.
        self.outbox.resend_all();
        self.fetch_me(out);
        self.idle.touch(self.opts.clock.as_ref());
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

    /// "Your session has expired", and what waits for the same user to sign in again.
    fn expired(&self) -> Option<Note> {
        match self.outbox.len() {
            0 => Note::error(EXPIRED),
            n => Note::error(format!(
                "{EXPIRED} {} not reached the server yet: {} sent when you sign in again on this computer.",
                have(n),
                if n == 1 { "it is" } else { "they are" }
            )),
        }
    }

    /// Drop the session, every pupil record, pop-up and waiting call; show "Sign in".
    fn end_session(&mut self, note: Option<Note>, out: &mut Vec<Command>) {
        self.session = None;
        self.lock = None;
        self.overlays.clear();
        self.status = None;
        self.resume_after_unlock = false;
        self.privacy.revealed = false;
        self.calls.held.clear();
        self.calls.latest.retain(|(route, _), _| *route == Route::App);
        self.mode = Mode::SignIn(Box::new(SignIn::new(note, self.opts.theme.mono)));
        self.dirty = true;
        out.push(Command::ClearTerminal);
    }

    fn on_delivery(&mut self, d: Delivery, out: &mut Vec<Command>) {
        self.dirty = true;
        let (now, instant) = (self.now(), self.instant());
        let back_online = self.connection.observe(d.reached(), now, instant);
        if d.route == Route::Outbox {
            // Every answer about a record counts, whichever session sent it.
            let ended = d.session_ended() && d.generation == Some(self.calls.token_generation);
            self.on_outbox_reply(d.typed(), out);
            if ended && self.session.is_some() {
                self.end_session(self.expired(), out);
                return;
            }
            if back_online {
                self.on_back_online(out);
            }
            return;
        }
        let key = (d.route, d.call.slot);
        let fresh = self.calls.latest.get(&key) == Some(&d.id);
        let earlier_session = d.generation.is_some_and(|g| g < self.calls.session_generation);
        if fresh && !earlier_session {
            self.calls.latest.remove(&key);
            if d.session_ended() && self.session.is_some() {
                if d.generation == Some(self.calls.token_generation) {
                    self.end_session(self.expired(), out);
                    return;
                }
                // Refused only because the token rotated while it was out: send it again.
                self.dispatch(d.route, d.call, out);
            } else {
                let route = d.route;
                self.route_reply(route, d.typed(), out);
            }
        }
        if back_online {
            self.on_back_online(out);
        }
    }

    fn route_reply(&mut self, route: Route, reply: Typed, out: &mut Vec<Command>) {
        match route {
            Route::App => self.on_app_reply(reply),
            Route::SignIn => {
                let signed_in = self.session.is_some();
                let mut cx = self.cx();
                let Mode::SignIn(flow) = &mut self.mode else { return };
                let outcome = flow.reply(reply, &mut cx, signed_in);
                self.flow_done(outcome, cx, out);
            }
            Route::Outbox => self.on_outbox_reply(reply, out),
            Route::Lock => {
                if let Some(lock) = &mut self.lock {
                    let outcome = lock.reply(reply);
                    self.on_lock_outcome(outcome, out);
                }
            }
            Route::Page(id) => {
                let mut cx = self.cx();
                let Mode::Pages(pages) = &mut self.mode else { return };
                if let Some(placed) = pages.iter_mut().find(|p| p.id == id) {
                    placed.page.reply(reply, &mut cx);
                    self.apply(route, cx, out);
                }
            }
        }
    }

    fn on_app_reply(&mut self, reply: Typed) {
        match take::<AppReply>(reply) {
            Some(AppReply::Setting(Ok(s))) => {
                let known = identity::check(
                    self.opts.known_settings.as_deref(),
                    self.opts.server_url.as_str(),
                    &s.id,
                );
                self.identity_changed = known == Known::Changed;
                self.untrusted = None;
                self.setting = Some(s);
            }
            Some(AppReply::Setting(Err(e @ ApiError::Untrusted(_)))) => self.untrusted = Some(format!("{e}.")),
            // Unreachable: the connection says so (and tries again); anything else is said on
            // the sign-in screen's status line.
            Some(AppReply::Setting(Err(e))) if !e.unreached() => {
                self.status = Some(format!("The server did not describe the setting: {e}"));
            }
            Some(AppReply::Me(id, Ok(me))) => {
                if let Some(s) = self.session.as_mut().filter(|s| s.user.id == id && me.user.id == id) {
                    s.permissions = Some(me.permissions);
                }
            }
            Some(AppReply::Setting(Err(_)) | AppReply::Logout | AppReply::Me(_, Err(_))) | None => {}
        }
    }

    /// The server answers again: fetch what is missing and refresh what is shown.
    fn on_back_online(&mut self, out: &mut Vec<Command>) {
        self.outbox.retry_now();
        if self.setting.is_none() && !self.calls.latest.contains_key(&(Route::App, "setting")) {
            self.fetch_setting(out);
        }
        let mut cx = self.cx();
        match &mut self.mode {
            Mode::Pages(_) => {
                self.with_top_page(out, |page, cx| page.refresh(cx));
            }
            Mode::SignIn(flow) => {
                flow.resume(&mut cx);
                self.apply(Route::SignIn, cx, out);
            }
        }
    }

    /// The keys that apply now, for help and the hint line.
    pub fn key_tables(&self) -> Vec<&'static [Binding]> {
        match &self.mode {
            Mode::SignIn(flow) => {
                let mut tables = flow.keys();
                tables.push(keymap::ALWAYS);
                tables
            }
            Mode::Pages(pages) => {
                let Some(top) = pages.last() else {
                    return vec![keymap::ALWAYS, keymap::GLOBAL];
                };
                let mut tables = top.page.keys().to_vec();
                if top.page.edits_text() {
                    tables.push(EDITING);
                }
                tables.push(keymap::ALWAYS);
                if !top.page.edits_text() && !top.page.modal() {
                    tables.push(keymap::GLOBAL);
                    if self.administers() {
                        tables.push(keymap::ADMIN);
                    }
                }
                tables
            }
        }
    }

    /// The smallest window for what is shown.
    fn min_size(&self) -> (u16, u16) {
        match &self.mode {
            Mode::SignIn(flow) => flow.min_size(),
            Mode::Pages(pages) => pages.last().map_or((40, 12), |p| p.page.min_size()),
        }
    }
}

/// "2 minutes" / "90 seconds": the idle time in words.
fn minutes(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        60 => "1 minute".into(),
        s if s % 60 == 0 => format!("{} minutes", s / 60),
        s => format!("{s} seconds"),
    }
}

/// "1 record" / "3 records".
fn records(n: usize) -> String {
    match n {
        1 => "1 record".to_string(),
        n => format!("{n} records"),
    }
}

/// "1 record has" / "3 records have".
fn have(n: usize) -> String {
    match n {
        1 => "1 record has".to_string(),
        n => format!("{n} records have"),
    }
}

/// What to say after signing in with a recovery code.
fn codes_left(left: u32) -> String {
    let count = match left {
        1 => "1 recovery code".to_string(),
        n => format!("{n} recovery codes"),
    };
    if left <= 2 {
        format!(
            "You signed in with a recovery code: only {count} left. Ask an admin to reset your two-factor so you get new codes before they run out."
        )
    } else {
        format!("You signed in with a recovery code: {count} left. Each works once.")
    }
}

/// "x does nothing here: ? shows the keys" for a key nobody took.
fn nothing_here(key: &KeyEvent, glyphs: &Glyphs) -> String {
    use crossterm::event::{KeyCode, KeyModifiers};
    let name = match key.code {
        KeyCode::Char(c) if key.modifiers.contains(KeyModifiers::CONTROL) => format!("Ctrl-{}", c.to_ascii_uppercase()),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    };
    glyphs
        .text(&format!("{name} does nothing here · F1 shows the keys"))
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::lock::ManualClock;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn app(clock: Arc<ManualClock>) -> App {
        App::new(AppOptions {
            server_url: Url::parse("http://127.0.0.1:9").unwrap(),
            idle_lock: Duration::from_secs(60),
            privacy_mode: false,
            theme: Theme { mono: true },
            glyphs: Glyphs::UNICODE,
            dates: Dates::UTC,
            clock,
            known_settings: None,
            export_dir: None,
            print_command: None,
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
        a.signed_in("tok".into(), user(), &mut Vec::new());
        a.overlays.push(Overlay::Help(0));
        clock.advance(Duration::from_secs(59));
        a.update(Action::Resize);
        assert!(!a.is_locked());
        clock.advance(Duration::from_secs(1));
        let cmds = a.update(Action::Resize);
        assert!(a.is_locked());
        assert!(matches!(cmds.as_slice(), [Command::ClearTerminal]));
        assert_eq!(
            a.overlay(),
            Some(&Overlay::Help(0)),
            "the overlay is kept underneath, hidden"
        );
    }

    #[test]
    fn next_deadline_is_the_earliest_deadline_and_none_when_nothing_is_due() {
        let clock = Arc::new(ManualClock::default());
        let mut a = app(clock.clone());
        assert_eq!(a.next_deadline(), None, "an empty sign-in screen waits for a key");
        a.update(Action::Key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE)));
        assert_eq!(
            a.next_deadline(),
            Some(Duration::from_secs(60)),
            "something typed is forgotten"
        );
        a.connection.observe(false, a.now(), clock.instant());
        assert_eq!(a.next_deadline(), Some(Duration::from_secs(1)), "the retry comes first");
        a.signed_in("tok".into(), user(), &mut Vec::new());
        a.lock(None, &mut Vec::new());
        assert_eq!(
            a.next_deadline(),
            None,
            "a locked client waits for a key: no retries, no lock"
        );
    }

    #[test]
    fn ctrl_l_locks_only_when_signed_in() {
        let clock = Arc::new(ManualClock::default());
        let mut a = app(clock);
        let ctrl_l = KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL);
        a.update(Action::Key(ctrl_l));
        assert!(!a.is_locked());
        a.signed_in("tok".into(), user(), &mut Vec::new());
        a.update(Action::Key(ctrl_l));
        assert!(a.is_locked());
        assert_eq!(a.next_deadline(), None);
    }

    #[test]
    fn recovery_codes_left_are_said_and_few_left_asks_for_new_ones() {
        assert!(codes_left(7).contains("7 recovery codes left"));
        assert!(codes_left(2).contains("only 2 recovery codes left") && codes_left(2).contains("new codes"));
        assert!(codes_left(1).contains("only 1 recovery code left"));
    }
}
