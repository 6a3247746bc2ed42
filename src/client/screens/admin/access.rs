//! Access (`g` on the Admin hub): choose a member of staff (`GET /admin/users`, fuzzy), then
//! see what they can see and why (`GET /admin/access/users/{id}`: their role sees everyone, or
//! their grants by group, year or one individual, with counts: "Can see 31 individuals"), add
//! a grant by group or year (`a`, from `GET /admin/access/groups`) or one individual (`i`, the
//! shared individual picker), remove one (`x`), and make them key staff of an individual (`K`,
//! showing that individual's key staff from `GET /admin/key-staff/{id}`) or stop (`x` on the
//! key-staff list). Every change asks first (y/n), then says what the server did, or shows its
//! refusal. Pupil names are drawn only through privacy.

use std::any::Any;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::confirm::{Answered, Confirm, individuals};
use super::staff_pick::{self, Chosen, StaffPick};
use crate::client::api::{Answer, ApiError, Request};
use crate::client::call::{Call, Typed, take};
use crate::client::keymap::{self, Binding, KeyAction, LIST, b, ch, k};
use crate::client::screens::picker::{Picked, Picker};
use crate::client::screens::{Ctx, Cx, Page};
use crate::client::widgets::slice_table::{SliceTable, follow};
use crate::wire::{
    AccessGrant, AccessScope, Done, GrantChange, GroupInfo, GroupList, IndividualRef, KeyStaffChange, KeyStaffList,
    StaffRef, UserAccess,
};

/// `a`: grant a group or year.
const ADD_GROUP: KeyAction = KeyAction::Page(0);
/// `i`: grant one individual.
const ADD_INDIVIDUAL: KeyAction = KeyAction::Page(1);
/// `x`: remove the selected grant or key-staff link.
const REMOVE: KeyAction = KeyAction::Page(2);
/// `K`: make them key staff of an individual.
const KEY_STAFF: KeyAction = KeyAction::Page(3);
/// `u`: another member of staff.
const OTHER: KeyAction = KeyAction::Page(4);
/// `Tab`: between grants and key staff.
const SWITCH: KeyAction = KeyAction::Page(5);

/// The keys of one member of staff's access, after [`LIST`].
const VIEW_KEYS: &[Binding] = &[
    b(&[ch('a')], "a", ADD_GROUP, "grant a group or year", true),
    b(&[ch('i')], "i", ADD_INDIVIDUAL, "grant one individual", true),
    b(&[ch('x')], "x", REMOVE, "remove the selected grant or key staff", true),
    b(&[ch('K')], "K", KEY_STAFF, "make them key staff of an individual", false),
    b(&[k(KeyCode::Tab)], "Tab", SWITCH, "grants / key staff", false),
    b(&[ch('u')], "u", OTHER, "another member of staff", false),
];

/// The tables of the view.
const VIEW_TABLES: &[&[Binding]] = &[LIST, VIEW_KEYS];

/// Choosing a group or year.
const GROUP_KEYS: &[Binding] = &[
    b(&[ch('j'), k(KeyCode::Down)], "j/↓", KeyAction::Down, "next group", false),
    b(&[ch('k'), k(KeyCode::Up)], "k/↑", KeyAction::Up, "previous group", false),
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Open, "grant this group or year", true),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "stop", true),
];

/// Picking an individual.
const PICK_KEYS: &[Binding] = &[
    b(&[], "letters", KeyAction::Edit, "filter by name (fuzzy)", false),
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Open, "choose this individual", true),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "clear the filter, else stop", true),
];

/// The replies of the Access calls.
enum Reply {
    /// `GET /admin/access/users/{id}`.
    Access(Result<UserAccess, ApiError>),
    /// `GET /admin/access/groups`.
    Groups(Result<GroupList, ApiError>),
    /// `GET /admin/key-staff/{individual_id}` (before making them key staff).
    KeyStaff(Result<KeyStaffList, ApiError>),
    /// A grant, a revocation or a key-staff change.
    Changed(Result<Done, ApiError>),
}

fn access_call(user_id: i64) -> Call {
    Call::new(
        "access",
        Request::get(format!("/admin/access/users/{user_id}")).session(),
        |r: Result<Answer, ApiError>| Reply::Access(r.and_then(Answer::typed)),
    )
}

fn groups_call() -> Call {
    Call::new(
        "groups",
        Request::get("/admin/access/groups").session(),
        |r: Result<Answer, ApiError>| Reply::Groups(r.and_then(Answer::typed)),
    )
}

fn key_staff_call(individual_id: i64) -> Call {
    Call::new(
        "key-staff",
        Request::get(format!("/admin/key-staff/{individual_id}")).session(),
        |r: Result<Answer, ApiError>| Reply::KeyStaff(r.and_then(Answer::typed)),
    )
}

fn change_call(change: &Change) -> Call {
    let request = match change {
        Change::Grant(g) => Request::post("/admin/access").json(g),
        Change::Revoke(g) => Request::post("/admin/access/revoke").json(g),
        Change::KeyStaff(c) => Request::put("/admin/key-staff").json(c),
    };
    Call::new("access-change", request.session(), |r: Result<Answer, ApiError>| {
        Reply::Changed(r.and_then(Answer::typed))
    })
}

/// A change waiting for its y/n.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Change {
    Grant(GrantChange),
    Revoke(GrantChange),
    KeyStaff(KeyStaffChange),
}

/// Which list has the selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Grants,
    KeyStaff,
}

/// What the individual picker is choosing for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PickFor {
    Grant,
    KeyStaff,
}

/// The Access page. `Debug` prints counts and states, never names.
pub struct Access {
    user: Option<StaffRef>,
    choosing: bool,
    staff: StaffPick,
    access: Option<UserAccess>,
    failed: Option<String>,
    part: Part,
    selected: usize,
    offset: usize,
    groups: Option<Vec<GroupInfo>>,
    /// Choosing a group: the selected one.
    group_choice: Option<usize>,
    /// `a` was pressed before the groups came: the choice opens when they do.
    group_wanted: bool,
    picking: Option<PickFor>,
    picker: Picker,
    confirm: Option<Confirm<Change>>,
}

impl std::fmt::Debug for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

/// A new Access page that starts by choosing a member of staff.
pub fn new_page() -> Box<dyn Page> {
    Box::new(Access::new(None))
}

/// The Access page of `user` (the access review's `Enter`).
pub fn of(user: StaffRef) -> Box<dyn Page> {
    Box::new(Access::new(Some(user)))
}

impl Access {
    fn new(user: Option<StaffRef>) -> Access {
        Access {
            choosing: user.is_none(),
            user,
            staff: StaffPick::default(),
            access: None,
            failed: None,
            part: Part::Grants,
            selected: 0,
            offset: 0,
            groups: None,
            group_choice: None,
            group_wanted: false,
            picking: None,
            picker: Picker::new(false, true),
            confirm: None,
        }
    }

    /// The member of staff shown, when one is chosen.
    pub fn user(&self) -> Option<&StaffRef> {
        self.user.as_ref()
    }

    /// What they can see, once it came.
    pub fn access(&self) -> Option<&UserAccess> {
        self.access.as_ref()
    }

    fn rows(&self) -> usize {
        let a = self.access.as_ref();
        match self.part {
            Part::Grants => a.map_or(0, |a| a.grants.len()),
            Part::KeyStaff => a.map_or(0, |a| a.key_staff_of.len()),
        }
    }

    fn load(&mut self, cx: &mut Cx) {
        if let Some(u) = &self.user {
            cx.call(access_call(u.id));
        }
    }

    fn name(&self) -> String {
        self.user.as_ref().map(|u| u.name.clone()).unwrap_or_default()
    }

    fn view_key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        let Some(action) = keymap::lookup(VIEW_TABLES, &key) else {
            return false;
        };
        let last = self.rows().saturating_sub(1);
        match action {
            KeyAction::Down => self.selected = (self.selected + 1).min(last),
            KeyAction::Up => self.selected = self.selected.saturating_sub(1),
            KeyAction::Top | KeyAction::PageUp => self.selected = 0,
            KeyAction::Bottom | KeyAction::PageDown => self.selected = last,
            SWITCH => {
                self.part = match self.part {
                    Part::Grants => Part::KeyStaff,
                    Part::KeyStaff => Part::Grants,
                };
                self.selected = 0;
            }
            OTHER => {
                self.choosing = true;
                self.staff.start(cx);
            }
            _ if self.access.is_none() => cx.say("Their access has not come yet."),
            ADD_GROUP => match &self.groups {
                Some(g) if g.is_empty() => cx.say("No individual is in a group or year yet."),
                Some(_) => self.group_choice = Some(0),
                None => {
                    cx.call(groups_call());
                    cx.say("Loading the groups…");
                    self.group_wanted = true;
                }
            },
            ADD_INDIVIDUAL | KEY_STAFF => {
                self.picking = Some(if action == KEY_STAFF { PickFor::KeyStaff } else { PickFor::Grant });
                self.picker.start(cx);
            }
            REMOVE => self.ask_remove(cx),
            _ => return false,
        }
        true
    }

    fn ask_remove(&mut self, cx: &mut Cx) {
        let Some(access) = &self.access else { return };
        let name = self.name();
        match self.part {
            Part::Grants => match access.grants.get(self.selected) {
                Some(g) => {
                    let what = grant_words(g);
                    let change = GrantChange {
                        user_id: access.user.id,
                        scope: g.scope,
                        value: g.value.clone(),
                        individual_id: g.individual.as_ref().map(|i| i.id),
                    };
                    let ask = Confirm::new(
                        format!("Remove {name}'s access to {what} ({})?", individuals(g.individuals)),
                        Change::Revoke(change),
                    );
                    self.confirm = Some(match &g.individual {
                        Some(i) => ask.about(i.name.clone()),
                        None => ask,
                    });
                }
                None => cx.say("There is no grant to remove."),
            },
            Part::KeyStaff => match access.key_staff_of.get(self.selected) {
                Some(i) => {
                    self.confirm = Some(
                        Confirm::new(
                            format!("{name} stops being key staff of {{pupil}}?"),
                            Change::KeyStaff(KeyStaffChange {
                                individual_id: i.id,
                                user_id: access.user.id,
                                key_staff: false,
                            }),
                        )
                        .about(i.name.clone()),
                    );
                }
                None => cx.say("They are nobody's key staff."),
            },
        }
    }

    fn group_key(&mut self, key: KeyEvent) {
        let groups = self.groups.as_deref().unwrap_or_default();
        let Some(at) = self.group_choice else { return };
        match keymap::lookup(&[GROUP_KEYS], &key) {
            Some(KeyAction::Down) => self.group_choice = Some((at + 1).min(groups.len().saturating_sub(1))),
            Some(KeyAction::Up) => self.group_choice = Some(at.saturating_sub(1)),
            Some(KeyAction::Back) => self.group_choice = None,
            Some(KeyAction::Open) => {
                self.group_choice = None;
                if let (Some(g), Some(user)) = (groups.get(at), &self.user) {
                    self.confirm = Some(Confirm::new(
                        format!(
                            "Let {} see {} {} ({}, now and later)?",
                            user.name,
                            scope_word(g.scope).to_lowercase(),
                            g.name,
                            individuals(g.individuals)
                        ),
                        Change::Grant(GrantChange {
                            user_id: user.id,
                            scope: g.scope,
                            value: g.name.clone(),
                            individual_id: None,
                        }),
                    ));
                }
            }
            _ => {}
        }
    }

    fn picked(&mut self, one: IndividualRef, purpose: PickFor, cx: &mut Cx) {
        let Some(user) = &self.user else { return };
        match purpose {
            PickFor::Grant => {
                self.confirm = Some(
                    Confirm::new(
                        format!("Let {} see {{pupil}}?", user.name),
                        Change::Grant(GrantChange {
                            user_id: user.id,
                            scope: AccessScope::Individual,
                            value: String::new(),
                            individual_id: Some(one.id),
                        }),
                    )
                    .about(one.name),
                );
            }
            // The question names the individual's key staff now: it waits for them.
            PickFor::KeyStaff => cx.call(key_staff_call(one.id)),
        }
    }
}

/// "Group", "Year", "Individual".
fn scope_word(scope: AccessScope) -> &'static str {
    match scope {
        AccessScope::Group => "Group",
        AccessScope::Year => "Year",
        AccessScope::Individual => "Individual",
    }
}

/// What a grant covers, in words ("group 9B", "Year 10", or `{pupil}` for one individual).
fn grant_words(g: &AccessGrant) -> String {
    match (&g.individual, g.scope) {
        (Some(_), _) => "{pupil}".into(),
        (None, AccessScope::Year) => g.value.clone(),
        (None, scope) => format!("{} {}", scope_word(scope).to_lowercase(), g.value),
    }
}

impl Page for Access {
    fn title(&self) -> String {
        match &self.user {
            Some(u) if !self.choosing => format!("Access: {}", u.name),
            _ => "Access".into(),
        }
    }

    fn keys(&self) -> &'static [&'static [Binding]] {
        if self.confirm.is_some() {
            &[super::confirm::KEYS]
        } else if self.picking.is_some() {
            &[PICK_KEYS]
        } else if self.choosing {
            &[staff_pick::KEYS]
        } else if self.group_choice.is_some() {
            &[GROUP_KEYS]
        } else {
            VIEW_TABLES
        }
    }

    fn min_size(&self) -> (u16, u16) {
        (60, 16)
    }

    fn edits_text(&self) -> bool {
        self.choosing || self.picking.is_some()
    }

    fn modal(&self) -> bool {
        self.confirm.is_some() || self.group_choice.is_some()
    }

    fn start(&mut self, cx: &mut Cx) {
        if self.choosing {
            self.staff.start(cx);
        }
        self.load(cx);
        cx.call(groups_call());
    }

    fn refresh(&mut self, cx: &mut Cx) {
        self.start(cx);
    }

    fn revealed(&mut self, cx: &mut Cx) {
        self.load(cx);
    }

    fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        if self.confirm.is_some() {
            if let Answered::Yes(change) = Confirm::key(&mut self.confirm, &key) {
                cx.call(change_call(&change));
                cx.say("Saving…");
            }
            return true;
        }
        if let Some(purpose) = self.picking {
            match self.picker.key(key) {
                Picked::Used => {}
                Picked::Individuals(mut picked) => {
                    self.picking = None;
                    if let Some(one) = picked.pop() {
                        self.picked(
                            IndividualRef {
                                id: one.id,
                                name: one.name,
                            },
                            purpose,
                            cx,
                        );
                    }
                }
                Picked::NotMine if key.code == KeyCode::Esc => self.picking = None,
                Picked::NotMine if key.code == KeyCode::Char('?') => cx.help(),
                Picked::NotMine => cx.say("Type a name and press Enter, or Esc to stop."),
            }
            return true;
        }
        if self.choosing {
            match self.staff.key(key) {
                Chosen::Used => {}
                Chosen::Staff(user) => {
                    self.choosing = false;
                    self.access = None;
                    self.failed = None;
                    self.selected = 0;
                    self.user = Some(user);
                    self.load(cx);
                }
                Chosen::Stop if self.user.is_some() => self.choosing = false,
                Chosen::Stop => cx.back(),
            }
            return true;
        }
        if self.group_choice.is_some() {
            self.group_key(key);
            return true;
        }
        self.view_key(key, cx)
    }

    fn paste(&mut self, text: &str, _cx: &mut Cx) {
        if self.picking.is_some() {
            self.picker.paste(text);
        } else if self.choosing {
            self.staff.paste(text);
        }
    }

    fn reply(&mut self, reply: Typed, cx: &mut Cx) {
        let Some(reply) = self.picker.reply(reply, cx) else { return };
        let Some(reply) = self.staff.reply(reply) else { return };
        match take::<Reply>(reply) {
            Some(Reply::Access(Ok(access))) => {
                self.failed = None;
                self.access = Some(access);
                self.selected = self.selected.min(self.rows().saturating_sub(1));
            }
            Some(Reply::Access(Err(e))) => self.failed = Some(format!("Their access could not be loaded: {e}")),
            Some(Reply::Groups(Ok(list))) => {
                if std::mem::take(&mut self.group_wanted) && self.confirm.is_none() && !self.choosing && self.picking.is_none() {
                    match list.items.is_empty() {
                        true => cx.say("No individual is in a group or year yet."),
                        false => self.group_choice = Some(0),
                    }
                }
                self.groups = Some(list.items);
            }
            Some(Reply::Groups(Err(e))) => {
                self.group_wanted = false;
                cx.say(format!("The groups could not be loaded: {e}"));
            }
            Some(Reply::KeyStaff(Ok(list))) => {
                let Some(user) = &self.user else { return };
                let now = match list.items.len() {
                    0 => "nobody yet".to_string(),
                    _ => list.items.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", "),
                };
                self.confirm = Some(
                    Confirm::new(
                        format!(
                            "Make {} key staff of {{pupil}}? They receive the communications and incident notices about them. Key staff now: {now}.",
                            user.name
                        ),
                        Change::KeyStaff(KeyStaffChange {
                            individual_id: list.individual.id,
                            user_id: user.id,
                            key_staff: true,
                        }),
                    )
                    .about(list.individual.name),
                );
            }
            Some(Reply::KeyStaff(Err(e))) => cx.error(format!("The individual's key staff could not be loaded: {e}")),
            Some(Reply::Changed(Ok(done))) => {
                cx.say(done.message);
                self.load(cx);
            }
            Some(Reply::Changed(Err(e))) => cx.error(e.change_failed("Not changed")),
            None => {}
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        if self.picking.is_some() {
            let title = match self.picking {
                Some(PickFor::KeyStaff) => format!("{} becomes key staff of…", self.name()),
                _ => format!("Let {} see…", self.name()),
            };
            self.picker.render(f, area, &title, ctx);
            return;
        }
        if self.choosing {
            self.staff.render(f, area, "Whose access?", ctx);
            return;
        }
        render_access(self, f, area, ctx);
        if let Some(at) = self.group_choice {
            render_groups(self.groups.as_deref().unwrap_or_default(), at, f, area, ctx);
        }
        if let Some(c) = &self.confirm {
            c.render(f, area, ctx);
        }
    }

    fn summary(&self) -> String {
        format!(
            "Access {{ chosen: {}, grants: {}, key_staff_of: {}, choosing: {}, confirming: {} }}",
            self.user.is_some(),
            self.access.as_ref().map_or(0, |a| a.grants.len()),
            self.access.as_ref().map_or(0, |a| a.key_staff_of.len()),
            self.choosing,
            self.confirm.is_some()
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The member of staff's access: why, the grants, and whom they are key staff of.
fn render_access(page: &mut Access, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let block = ctx.block(&page.title());
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(access) = &page.access else {
        let msg = page.failed.as_deref().unwrap_or("Loading their access…");
        let style = if page.failed.is_some() { ctx.theme.error() } else { ctx.theme.dim() };
        f.render_widget(
            Paragraph::new(ctx.glyphs.text(msg).into_owned()).style(style).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    };
    let why = if access.sees_all {
        format!(
            "Can see every individual ({}): their role ({}) sees all, so grants add nothing.",
            crate::client::screens::admin::confirm::thousands(access.visible),
            access.role.label()
        )
    } else {
        format!("Can see {} ({}), through the grants below.", individuals(access.visible), access.role.label())
    };
    let review = match &access.last_review {
        Some(r) => format!(
            "Last confirmed in the access review on {} by {} ({} then).",
            super::review::uk_day(ctx, r.at),
            r.by.name,
            individuals(r.visible)
        ),
        None => "Never confirmed in the access review.".into(),
    };
    let key_h = u16::try_from(access.key_staff_of.len().clamp(1, 4)).unwrap_or(4) + 2;
    let [why_area, grants_area, key_area] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(4),
        Constraint::Length(key_h),
    ])
    .areas(inner);
    f.render_widget(
        Paragraph::new(vec![
            Line::from(ctx.glyphs.text(&why).into_owned()),
            Line::from(ctx.glyphs.text(&review).into_owned()).style(ctx.theme.dim()),
        ]),
        why_area,
    );
    let focus = |part| if page.part == part { ctx.theme.focus() } else { ctx.theme.text() };
    let grants_block = ctx
        .block(&format!("Grants ({})", access.grants.len()))
        .border_style(focus(Part::Grants));
    let grants_inner = grants_block.inner(grants_area);
    f.render_widget(grants_block, grants_area);
    let visible = usize::from(grants_inner.height.saturating_sub(1));
    let grants_selected = (page.part == Part::Grants).then_some(page.selected);
    if let Some(s) = grants_selected {
        page.offset = follow(page.offset, s, visible);
    }
    let offset = if grants_selected.is_some() { page.offset } else { 0 };
    if access.grants.is_empty() {
        let none = if access.sees_all {
            "No grants: none are needed."
        } else {
            "No grants: they see nobody. a grants a group or year, i one individual."
        };
        f.render_widget(Paragraph::new(none).wrap(Wrap { trim: true }), grants_inner);
    } else {
        let rows: Vec<[String; 5]> = access
            .grants
            .iter()
            .skip(offset)
            .take(visible)
            .map(|g| {
                [
                    scope_word(g.scope).to_string(),
                    match &g.individual {
                        Some(i) => ctx.privacy.name(&i.name),
                        None => g.value.clone(),
                    },
                    individuals(g.individuals),
                    g.granted_by.as_ref().map_or("-".into(), |s| s.name.clone()),
                    ctx.dates.short(g.granted_at),
                ]
            })
            .collect();
        f.render_widget(
            SliceTable {
                header: ["Scope", "Grant", "Sees", "Granted by", "On"],
                min_widths: [5, 8, 6, 6, 8],
                shrink: &[3, 1, 4],
                rows,
                selected: grants_selected.and_then(|s| s.checked_sub(offset)),
                header_style: ctx.theme.header(),
                selected_style: ctx.theme.selected(),
                glyphs: ctx.glyphs,
            },
            grants_inner,
        );
    }
    let key_block = ctx
        .block(&format!("Key staff of ({})", access.key_staff_of.len()))
        .border_style(focus(Part::KeyStaff));
    let key_inner = key_block.inner(key_area);
    f.render_widget(key_block, key_area);
    let lines: Vec<Line> = if access.key_staff_of.is_empty() {
        vec![Line::from("Nobody. K makes them key staff of an individual.")]
    } else {
        let rows = usize::from(key_inner.height);
        let first = if page.part == Part::KeyStaff {
            page.selected.saturating_sub(rows.saturating_sub(1))
        } else {
            0
        };
        access
            .key_staff_of
            .iter()
            .enumerate()
            .skip(first)
            .take(rows)
            .map(|(at, i)| {
                let line = Line::from(format!(" {}", ctx.privacy.name(&i.name)));
                if page.part == Part::KeyStaff && at == page.selected {
                    line.style(ctx.theme.selected())
                } else {
                    line
                }
            })
            .collect()
    };
    f.render_widget(Paragraph::new(lines), key_inner);
}

/// The groups and years to choose a grant from, over the view.
fn render_groups(groups: &[GroupInfo], at: usize, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let h = area.height.saturating_sub(4).min(u16::try_from(groups.len()).unwrap_or(u16::MAX) + 2);
    let r = crate::client::screens::centered(area, 50, h);
    f.render_widget(ratatui::widgets::Clear, r);
    let block = ctx.block("Grant which group or year?").border_style(ctx.theme.focus());
    let inner = block.inner(r);
    f.render_widget(block, r);
    let rows = usize::from(inner.height);
    let first = at.saturating_sub(rows.saturating_sub(1));
    let lines: Vec<Line> = groups
        .iter()
        .enumerate()
        .skip(first)
        .take(rows)
        .map(|(i, g)| {
            let line = Line::from(format!(" {:<5} {} ({})", scope_word(g.scope), g.name, individuals(g.individuals)));
            if i == at { line.style(ctx.theme.selected()) } else { line }
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}
