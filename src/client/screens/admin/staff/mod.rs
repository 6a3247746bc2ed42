//! Staff (`u` on the Admin hub): every account, with the server's filters above the table
//! (role, locked, no 2FA, inactive for 90 days, ended included), each changed with one key, and
//! a fuzzy search by name or email as you type (`/`). `Enter` opens the actions on the selected
//! account; `n` a new account (staff, or supply or visitor cover: policy 8.22); `b` a bulk
//! create from a CSV file.
//!
//! - [`filters`]: the filters and their query; [`account`]: an account in words; [`calls`]:
//!   calls and replies; [`keys`]: key tables; [`actions`]: what applies to an account and the
//!   question asked first; [`form`]: the new account; [`import`]: the CSV import; [`once`]:
//!   temporary passwords shown once; `view`: drawing.
//! - Every action asks first (y/n), then says what the server did (`ActionDone.message`) on the
//!   status line. A refusal (409 last admin, 403, 422) is the server's sentence, and what was
//!   typed stays.
//! - Honest when offline: a failed refresh keeps the list with "could not refresh".

pub mod account;
pub mod actions;
pub mod calls;
pub mod filters;
pub mod form;
pub mod import;
pub mod keys;
pub mod once;
mod view;

use std::any::Any;

use chrono::{DateTime, Duration, Utc};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;

use self::actions::Asked;
use self::calls::Reply;
use self::filters::{Filters, ROLES};
use self::form::{FormKey, UserForm};
use self::import::{Import, Stage};
use self::once::{Entry, OneTime};
use crate::client::api::ApiError;
use crate::client::call::{Typed, take};
use crate::client::fuzzy::Fuzzy;
use crate::client::keymap::{self, Binding, KeyAction};
use crate::client::screens::dashboard::Loading;
use crate::client::screens::{Ctx, Cx, Note, Page};
use crate::client::widgets::text_field::{EDITING, TextField};
use crate::client::when;
use crate::wire::{AdminUser, AdminUserList, UserAction};

/// What has the keys.
pub enum Mode {
    /// The list.
    List,
    /// The actions on the selected account.
    Menu,
    /// Choosing the new role (the index into [`ROLES`]).
    Role(usize),
    /// Typing a cover account's new end.
    Expiry(Box<TextField>, Option<Note>),
    /// An action waits for y/n.
    Confirm(Asked),
    /// An action was sent.
    Sending,
    /// The new account form.
    Form(Box<UserForm>),
    /// The bulk import.
    Import(Box<Import>),
    /// Temporary passwords, shown once.
    Once(Box<OneTime>),
}

/// The Staff page. `Debug` prints counts, never a name or a password.
pub struct Staff {
    /// The filters in force.
    pub filters: Filters,
    items: Vec<AdminUser>,
    truncated: bool,
    /// The server answered at least once.
    loaded: bool,
    loading: Loading,
    stale: bool,
    /// When the list arrived (for "inactive 90 days").
    now: DateTime<Utc>,
    shown: Vec<usize>,
    selected: usize,
    offset: usize,
    page: usize,
    search: TextField,
    /// The search has the keys.
    pub typing: bool,
    fuzzy: Fuzzy,
    /// What has the keys.
    pub mode: Mode,
    /// The action of `Mode::Expiry` (kept so a refusal goes back to what was typed).
    expiry_text: Option<String>,
}

impl std::fmt::Debug for Staff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

/// A new Staff page (for the hub's section).
pub fn new_page() -> Box<dyn Page> {
    Box::new(Staff {
        filters: Filters::default(),
        items: Vec::new(),
        truncated: false,
        loaded: false,
        loading: Loading::First,
        stale: false,
        now: DateTime::<Utc>::MIN_UTC,
        shown: Vec::new(),
        selected: 0,
        offset: 0,
        page: 10,
        search: TextField::plain("Search"),
        typing: false,
        fuzzy: Fuzzy::new(),
        mode: Mode::List,
        expiry_text: None,
    })
}

impl Staff {
    /// The accounts loaded.
    pub fn items(&self) -> &[AdminUser] {
        &self.items
    }

    /// The accounts shown (search applied), in order.
    pub fn shown(&self) -> Vec<&AdminUser> {
        self.shown.iter().filter_map(|&at| self.items.get(at)).collect()
    }

    /// The selected account, if any.
    pub fn selected(&self) -> Option<&AdminUser> {
        self.shown.get(self.selected).and_then(|&at| self.items.get(at))
    }

    /// Show the accounts the search matches (name, email, job title), keeping the selection on
    /// the same account when it is still shown.
    fn show_matching(&mut self) {
        let keep = self.selected().map(|u| u.id);
        let texts: Vec<String> = self
            .items
            .iter()
            .map(|u| format!("{} {} {}", u.display_name, u.email, u.job_title))
            .collect();
        self.shown = self.fuzzy.rank(self.search.text(), texts.iter().map(String::as_str));
        self.selected = keep
            .and_then(|id| self.shown.iter().position(|&at| self.items[at].id == id))
            .unwrap_or(0)
            .min(self.shown.len().saturating_sub(1));
    }

    fn fetch(&mut self, cx: &mut Cx) {
        self.loading = Loading::First;
        cx.call(calls::users(&self.filters));
    }

    fn refilter(&mut self, cx: &mut Cx, change: impl FnOnce(&mut Filters)) {
        change(&mut self.filters);
        self.fetch(cx);
        cx.say(format!("Staff: {}", self.filters.describe().join(", ")));
    }

    fn move_by(&mut self, delta: isize) {
        let last = self.shown.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    fn search_key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        match keymap::lookup(&[keys::SEARCH_KEYS], &key) {
            Some(KeyAction::Back) => {
                self.search.wipe();
                self.typing = false;
                self.show_matching();
            }
            Some(KeyAction::Down) if key.code == KeyCode::Up => self.move_by(-1),
            Some(KeyAction::Down) => self.move_by(1),
            Some(KeyAction::Open) => {
                self.typing = false;
                self.open_menu(cx);
            }
            _ => {
                if self.search.input(key) {
                    self.show_matching();
                }
            }
        }
        true
    }

    fn open_menu(&mut self, cx: &mut Cx) {
        match self.selected() {
            Some(_) => self.mode = Mode::Menu,
            None => cx.say("There is no account to act on."),
        }
    }

    fn list_key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        let Some(action) = keymap::lookup(keys::LIST_TABLES, &key) else {
            return false;
        };
        let page = self.page.max(1) as isize;
        match action {
            KeyAction::Down => self.move_by(1),
            KeyAction::Up => self.move_by(-1),
            KeyAction::PageDown => self.move_by(page),
            KeyAction::PageUp => self.move_by(-page),
            KeyAction::Top => self.move_by(isize::MIN / 2),
            KeyAction::Bottom => self.move_by(isize::MAX / 2),
            KeyAction::Open => self.open_menu(cx),
            keys::SEARCH => self.typing = true,
            keys::NEW => {
                self.mode = Mode::Form(Box::default());
                cx.call(calls::groups());
            }
            keys::IMPORT => self.mode = Mode::Import(Box::default()),
            keys::ROLE => self.refilter(cx, Filters::next_role),
            keys::LOCKED => self.refilter(cx, |f| f.locked = !f.locked),
            keys::NO_2FA => self.refilter(cx, |f| f.no_2fa = !f.no_2fa),
            keys::INACTIVE => self.refilter(cx, |f| f.inactive = !f.inactive),
            keys::ENDED => self.refilter(cx, |f| f.include_ended = !f.include_ended),
            keys::CLEAR => self.refilter(cx, |f| *f = Filters::default()),
            _ => return false,
        }
        true
    }

    /// Ask y/n before `action` on the selected account.
    fn ask(&mut self, action: UserAction, cx: &Cx) {
        let Some(u) = self.selected() else {
            self.mode = Mode::List;
            return;
        };
        let question = actions::question(u, &action, cx.dates);
        self.mode = Mode::Confirm(Asked {
            user_id: u.id,
            action,
            question,
        });
    }

    fn menu_key(&mut self, key: KeyEvent, cx: &mut Cx) {
        let Some(u) = self.selected().cloned() else {
            self.mode = Mode::List;
            return;
        };
        let Some(action) = keymap::lookup(&[keys::MENU_KEYS], &key) else {
            cx.say("That key does nothing here: ? lists the actions, Esc goes back.");
            return;
        };
        if let Some(why) = actions::refusal(&u, action) {
            cx.say(why);
            return;
        }
        match action {
            KeyAction::Back => self.mode = Mode::List,
            KeyAction::Help => cx.help(),
            keys::SET_ROLE => self.mode = Mode::Role(ROLES.iter().position(|r| *r == u.role).unwrap_or(0)),
            keys::UNLOCK => self.ask(UserAction::Unlock, cx),
            keys::RESET_PASSWORD => self.ask(UserAction::ResetPassword, cx),
            keys::RESET_2FA => self.ask(UserAction::Reset2fa, cx),
            keys::DEACTIVATE => self.ask(UserAction::Deactivate, cx),
            keys::REACTIVATE => self.ask(UserAction::Reactivate, cx),
            keys::END_SESSIONS => self.ask(UserAction::EndSessions, cx),
            keys::EXPIRY => {
                let mut field = TextField::plain("New end (17:00, tomorrow 17:00, 05/12/26 16:00)");
                if let Some(text) = self.expiry_text.take() {
                    field.set(&text);
                }
                self.mode = Mode::Expiry(Box::new(field), None);
            }
            _ => {}
        }
    }

    fn role_key(&mut self, at: usize, key: KeyEvent, cx: &mut Cx) {
        match keymap::lookup(&[keys::CHOOSE_KEYS], &key) {
            Some(KeyAction::Down) => self.mode = Mode::Role((at + 1).min(ROLES.len() - 1)),
            Some(KeyAction::Up) => self.mode = Mode::Role(at.saturating_sub(1)),
            Some(KeyAction::Submit) => match self.selected() {
                Some(u) if u.role == ROLES[at] => cx.say(format!("{} is {} already.", u.display_name, u.role.label())),
                _ => self.ask(UserAction::SetRole { role: ROLES[at] }, cx),
            },
            Some(KeyAction::Help) => cx.help(),
            Some(KeyAction::Back) => self.mode = Mode::Menu,
            _ => cx.say("j/k choose the role, Enter takes it, Esc keeps it."),
        }
    }

    fn expiry_key(&mut self, key: KeyEvent, cx: &mut Cx) {
        let Mode::Expiry(field, note) = &mut self.mode else { return };
        match keymap::lookup(&[keys::EXPIRY_KEYS], &key) {
            Some(KeyAction::Back) => self.mode = Mode::Menu,
            Some(KeyAction::Submit) => {
                match when::parse_ahead(field.text(), cx.now, cx.dates, Duration::days(form::MAX_COVER_DAYS)) {
                    Ok(at) => {
                        self.expiry_text = Some(field.text().to_string());
                        self.ask(UserAction::SetExpiry { expires_at: at }, cx);
                    }
                    Err(e) => *note = Note::error(e),
                }
            }
            _ => {
                field.input(key);
            }
        }
    }

    fn confirm_key(&mut self, key: KeyEvent, cx: &mut Cx) {
        let Mode::Confirm(asked) = &self.mode else { return };
        match keymap::lookup(&[keys::CONFIRM_KEYS], &key) {
            Some(KeyAction::Submit) => {
                cx.call(calls::action(asked.user_id, &asked.action));
                self.mode = Mode::Sending;
            }
            Some(KeyAction::Back) => {
                self.expiry_text = None;
                self.mode = Mode::List;
                cx.say("Nothing was changed.");
            }
            _ => cx.say("y does it, n or Esc changes nothing."),
        }
    }

    fn form_key(&mut self, key: KeyEvent, cx: &mut Cx) {
        let Mode::Form(form) = &mut self.mode else { return };
        if form.sending {
            cx.say("The account is being created: a moment.");
            return;
        }
        if let Some(user) = &form.review {
            match keymap::lookup(&[keys::CONFIRM_KEYS], &key) {
                Some(KeyAction::Submit) => {
                    cx.call(calls::create(user));
                    form.sending = true;
                }
                Some(KeyAction::Back) => form.review = None,
                _ => cx.say("y creates it, n or Esc goes back to the form."),
            }
            return;
        }
        match form.key(key, cx.now, cx.dates) {
            FormKey::Leave => self.mode = Mode::List,
            FormKey::Used | FormKey::Review => {}
        }
    }

    fn import_key(&mut self, key: KeyEvent, cx: &mut Cx) {
        let Mode::Import(import) = &mut self.mode else { return };
        match &import.stage {
            Stage::Path => match keymap::lookup(&[keys::IMPORT_KEYS], &key) {
                Some(KeyAction::Back) => self.mode = Mode::List,
                Some(KeyAction::Submit) => match import::read(import.path.text()) {
                    Ok(csv) => {
                        cx.call(calls::import(&csv, true));
                        import.csv = csv;
                        import.note = None;
                        import.stage = Stage::Checking;
                    }
                    Err(e) => import.note = Note::error(e),
                },
                _ => {
                    import.path.input(key);
                }
            },
            Stage::Review(_) => {
                let refused = import.refused() == Some(true);
                let table = if refused { keys::IMPORT_REFUSED_KEYS } else { keys::IMPORT_REVIEW_KEYS };
                match keymap::lookup(&[table], &key) {
                    Some(KeyAction::Down) => import.scroll = import.scroll.saturating_add(1),
                    Some(KeyAction::Up) => import.scroll = import.scroll.saturating_sub(1),
                    Some(KeyAction::Help) => cx.help(),
                    Some(KeyAction::Submit) => {
                        cx.call(calls::import(&import.csv, false));
                        import.stage = Stage::Sending;
                    }
                    Some(KeyAction::Back) => {
                        import.stage = Stage::Path;
                        import.scroll = 0;
                    }
                    _ if refused => {
                        import.note = Note::error(
                            "Nothing can be created while a line has a problem: fix the file, then Esc and Enter check it again.",
                        );
                    }
                    _ => cx.say("y creates them, n or Esc creates nothing."),
                }
            }
            Stage::Checking | Stage::Sending => cx.say("Waiting for the server: a moment."),
        }
    }

    fn once_key(&mut self, key: KeyEvent, cx: &mut Cx) {
        let Mode::Once(once) = &mut self.mode else { return };
        if once.asked {
            match key.code {
                KeyCode::Char('y') => {
                    self.mode = Mode::List;
                    cx.say("The temporary password is forgotten.");
                }
                KeyCode::Char('n') | KeyCode::Esc => once.asked = false,
                _ => cx.say("y: it was given (it is forgotten); n: keep showing it."),
            }
            return;
        }
        match keymap::lookup(&[keys::ONCE_KEYS], &key) {
            Some(KeyAction::Back) => once.asked = true,
            Some(KeyAction::Down) => once.scroll = once.scroll.saturating_add(1),
            Some(KeyAction::Up) => once.scroll = once.scroll.saturating_sub(1),
            Some(KeyAction::Help) => cx.help(),
            _ => cx.say("Enter when you have given it to them."),
        }
    }

    /// Put `user` (as the server now has it) in the list.
    fn update(&mut self, user: AdminUser) {
        match self.items.iter_mut().find(|u| u.id == user.id) {
            Some(old) => *old = user,
            None => self.items.push(user),
        }
        self.show_matching();
    }

    fn on_users(&mut self, list: Result<AdminUserList, ApiError>, cx: &mut Cx) {
        self.loading = Loading::Done;
        match list {
            Ok(list) => {
                self.items = list.items;
                self.truncated = list.truncated;
                self.loaded = true;
                self.stale = false;
                self.now = cx.now;
                self.show_matching();
            }
            Err(e) => {
                self.stale = true;
                if !e.offline() && !e.session_ended() {
                    cx.error(format!("Could not load the accounts: {e}"));
                }
            }
        }
    }

    fn on_reply(&mut self, reply: Reply, cx: &mut Cx) {
        match reply {
            Reply::Users(list) => self.on_users(list, cx),
            Reply::Groups(groups) => {
                if let Mode::Form(form) = &mut self.mode {
                    match groups {
                        Ok(list) => form.set_groups(list.items),
                        Err(e) if !e.offline() => form.note = Note::error(format!("Could not load the groups: {e}")),
                        Err(_) => {}
                    }
                }
            }
            Reply::Created(created) => {
                let Mode::Form(form) = &mut self.mode else { return };
                form.sending = false;
                form.review = None;
                match created {
                    Ok(c) => {
                        let title = format!("Created {}'s account.", c.user.display_name);
                        let once = OneTime::one(title, &c.user.display_name, &c.user.email, c.temporary_password);
                        self.update(c.user);
                        self.mode = Mode::Once(Box::new(once));
                    }
                    Err(e) => form.note = Note::error(refused(&e)),
                }
            }
            Reply::Done(done) => match done {
                Ok(done) => {
                    self.expiry_text = None;
                    cx.say(done.message.clone());
                    self.mode = match done.temporary_password {
                        Some(password) => Mode::Once(Box::new(OneTime::one(
                            done.message,
                            &done.user.display_name,
                            &done.user.email,
                            password,
                        ))),
                        None => Mode::List,
                    };
                    self.update(done.user);
                }
                Err(e) => {
                    // A refused move of the end goes back to what was typed.
                    self.mode = match self.expiry_text.take() {
                        Some(text) => {
                            let mut field = TextField::plain("New end (17:00, tomorrow 17:00, 05/12/26 16:00)");
                            field.set(&text);
                            Mode::Expiry(Box::new(field), Note::error(refused(&e)))
                        }
                        None => Mode::List,
                    };
                    if matches!(self.mode, Mode::List) {
                        cx.error(refused(&e));
                    }
                }
            },
            Reply::Imported(report) => {
                let Mode::Import(import) = &mut self.mode else { return };
                match report {
                    Ok(report) if !report.dry_run && report.created > 0 => {
                        let entries: Vec<Entry> = report
                            .rows
                            .into_iter()
                            .filter_map(|r| {
                                r.temporary_password.map(|p| Entry {
                                    name: r.display_name,
                                    email: r.email,
                                    password: p.into(),
                                })
                            })
                            .collect();
                        let title = format!("Created {} accounts.", report.created);
                        cx.say(title.clone());
                        self.mode = Mode::Once(Box::new(OneTime {
                            title,
                            entries,
                            asked: false,
                            scroll: 0,
                        }));
                        self.fetch(cx);
                    }
                    Ok(report) => import.stage = Stage::Review(report),
                    Err(e) => {
                        let sent = matches!(import.stage, Stage::Sending);
                        import.stage = Stage::Path;
                        import.note = Note::error(if sent && matches!(e, ApiError::NoAnswer(_)) {
                            IMPORT_UNKNOWN.to_string()
                        } else {
                            refused(&e)
                        });
                    }
                }
            }
        }
    }
}

/// An import sent for real whose answer never came: the accounts may exist, and their
/// temporary passwords were never seen, so the admin is told how to find out and what to do.
const IMPORT_UNKNOWN: &str = "Not known if the accounts were made: the server did not answer. Enter checks the file \
again: a line whose account now exists says so, and that account's password can be reset from the Staff list.";

/// The server's refusal in a sentence (its own message when it sent one).
fn refused(e: &ApiError) -> String {
    match e {
        ApiError::Server { message, .. } => message.clone(),
        e => e.change_failed("Not done"),
    }
}

impl Page for Staff {
    fn title(&self) -> String {
        "Admin: Staff".into()
    }

    fn keys(&self) -> &'static [&'static [Binding]] {
        match &self.mode {
            Mode::List if self.typing => &[keys::SEARCH_KEYS],
            Mode::List => keys::LIST_TABLES,
            Mode::Menu => &[keys::MENU_KEYS],
            Mode::Role(_) => &[keys::CHOOSE_KEYS],
            Mode::Expiry(..) => &[keys::EXPIRY_KEYS, EDITING],
            Mode::Confirm(_) | Mode::Sending => &[keys::CONFIRM_KEYS],
            Mode::Form(form) if form.review.is_some() => &[keys::CONFIRM_KEYS],
            Mode::Form(_) => &[keys::FORM_KEYS, EDITING],
            Mode::Import(import) if import.refused() == Some(true) => &[keys::IMPORT_REFUSED_KEYS],
            Mode::Import(import) if import.refused() == Some(false) => &[keys::IMPORT_REVIEW_KEYS],
            Mode::Import(_) => &[keys::IMPORT_KEYS, EDITING],
            Mode::Once(_) => &[keys::ONCE_KEYS],
        }
    }

    fn min_size(&self) -> (u16, u16) {
        (60, 20)
    }

    fn edits_text(&self) -> bool {
        match &self.mode {
            Mode::List => self.typing,
            Mode::Expiry(..) => true,
            Mode::Form(form) => form.review.is_none() && form.edits_text(),
            Mode::Import(import) => matches!(import.stage, Stage::Path),
            _ => false,
        }
    }

    fn modal(&self) -> bool {
        !matches!(self.mode, Mode::List)
    }

    fn has_draft(&self) -> bool {
        matches!(&self.mode, Mode::Form(form) if form.has_text())
    }

    fn start(&mut self, cx: &mut Cx) {
        self.fetch(cx);
    }

    fn refresh(&mut self, cx: &mut Cx) {
        self.fetch(cx);
    }

    fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        match &self.mode {
            Mode::List if self.typing => return self.search_key(key, cx),
            Mode::List => return self.list_key(key, cx),
            Mode::Menu => self.menu_key(key, cx),
            Mode::Role(at) => self.role_key(*at, key, cx),
            Mode::Expiry(..) => self.expiry_key(key, cx),
            Mode::Confirm(_) => self.confirm_key(key, cx),
            Mode::Sending => cx.say("Waiting for the server: a moment."),
            Mode::Form(_) => self.form_key(key, cx),
            Mode::Import(_) => self.import_key(key, cx),
            Mode::Once(_) => self.once_key(key, cx),
        }
        true
    }

    fn paste(&mut self, text: &str, _cx: &mut Cx) {
        match &mut self.mode {
            Mode::List => {
                self.search.paste(text);
                self.typing = true;
                self.show_matching();
            }
            Mode::Expiry(field, _) => field.paste(text),
            Mode::Form(form) => form.paste(text),
            Mode::Import(import) if matches!(import.stage, Stage::Path) => import.path.paste(text),
            _ => {}
        }
    }

    fn reply(&mut self, reply: Typed, cx: &mut Cx) {
        if let Some(reply) = take::<Reply>(reply) {
            self.on_reply(reply, cx);
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        view::render(self, f, area, ctx);
    }

    fn summary(&self) -> String {
        let mode = match &self.mode {
            Mode::List => "list",
            Mode::Menu => "menu",
            Mode::Role(_) => "role",
            Mode::Expiry(..) => "expiry",
            Mode::Confirm(_) => "confirm",
            Mode::Sending => "sending",
            Mode::Form(_) => "form",
            Mode::Import(_) => "import",
            Mode::Once(_) => "one-time password",
        };
        format!(
            "Staff {{ accounts: {}, shown: {}, mode: {mode}, filtered: {} }}",
            self.items.len(),
            self.shown.len(),
            !self.filters.none()
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
