//! The form of a new account: name, email, job title, the kind (staff, supply cover or visitor:
//! policy 8.22) and then either the role (staff) or, for cover, when it ends and the groups it
//! may see. `Enter` goes through the fields and then to the review; `y` there creates it.

use chrono::{DateTime, Duration, Utc};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::filters::ROLES;
use super::keys;
use crate::client::dates::Dates;
use crate::client::keymap::{self, KeyAction};
use crate::client::screens::{Ctx, Note};
use crate::client::widgets::popup;
use crate::client::widgets::text_field::TextField;
use crate::client::when;
use crate::wire::{AccessScope, AccountKind, GroupInfo, NewUser, Role};

/// The longest a cover account may last (the server's rule too).
pub const MAX_COVER_DAYS: i64 = 90;

/// A field of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Name shown to others.
    Name,
    /// Work email.
    Email,
    /// Job title.
    Job,
    /// Staff, supply or visitor.
    Kind,
    /// The role (staff accounts only).
    Role,
    /// When a cover account ends.
    Expiry,
    /// The groups a cover account may see.
    Groups,
}

/// What a key did to the form.
#[derive(Debug, PartialEq, Eq)]
pub enum FormKey {
    /// Used (or refused with a note).
    Used,
    /// Leave the form.
    Leave,
    /// The form is complete: ask "create?".
    Review,
}

/// The form's state.
pub struct UserForm {
    /// Name.
    pub name: TextField,
    /// Email.
    pub email: TextField,
    /// Job title.
    pub job: TextField,
    /// Kind.
    pub kind: AccountKind,
    /// The role chosen (staff accounts).
    pub role: Role,
    /// When a cover account ends (empty: the end of today).
    pub expiry: TextField,
    /// The tutor groups to choose from (none until the server answered) and which are marked.
    pub groups: Option<Vec<(String, bool)>>,
    /// The group the cursor is on.
    pub group_at: usize,
    /// The field with the keys.
    pub focus: Field,
    /// Why it was refused, or what to do.
    pub note: Option<Note>,
    /// "Create …? y/n" is asked (the account as it will be sent).
    pub review: Option<NewUser>,
    /// Sent; waiting for the server.
    pub sending: bool,
    /// `Esc` once over typed text: the next one leaves.
    leave_asked: bool,
}

impl std::fmt::Debug for UserForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UserForm {{ focus: {:?}, kind: {:?}, sending: {} }}", self.focus, self.kind, self.sending)
    }
}

impl Default for UserForm {
    fn default() -> Self {
        UserForm {
            name: TextField::plain("Name"),
            email: TextField::plain("Work email"),
            job: TextField::plain("Job title (may be empty)"),
            kind: AccountKind::Staff,
            role: Role::Staff,
            expiry: TextField::plain("Ends (empty: end of today; 17:00, tomorrow 17:00, 05/12/26 16:00)"),
            groups: None,
            group_at: 0,
            focus: Field::Name,
            note: None,
            review: None,
            sending: false,
            leave_asked: false,
        }
    }
}

impl UserForm {
    /// The fields of the form as it is now (cover accounts have no role, staff ones no end).
    pub fn fields(&self) -> &'static [Field] {
        match self.kind {
            AccountKind::Staff => &[Field::Name, Field::Email, Field::Job, Field::Kind, Field::Role],
            _ => &[Field::Name, Field::Email, Field::Job, Field::Kind, Field::Expiry, Field::Groups],
        }
    }

    /// The groups the server answered with: only tutor groups (a cover account sees groups).
    pub fn set_groups(&mut self, items: Vec<GroupInfo>) {
        self.groups = Some(
            items
                .into_iter()
                .filter(|g| g.scope == AccessScope::Group)
                .map(|g| (g.name, false))
                .collect(),
        );
    }

    /// True once anything was typed or chosen.
    pub fn has_text(&self) -> bool {
        !(self.name.is_empty() && self.email.is_empty() && self.job.is_empty() && self.expiry.is_empty())
            || self.kind != AccountKind::Staff
            || self.role != Role::Staff
    }

    /// True while a text field has the keys.
    pub fn edits_text(&self) -> bool {
        matches!(self.focus, Field::Name | Field::Email | Field::Job | Field::Expiry)
    }

    fn text_field(&mut self) -> Option<&mut TextField> {
        match self.focus {
            Field::Name => Some(&mut self.name),
            Field::Email => Some(&mut self.email),
            Field::Job => Some(&mut self.job),
            Field::Expiry => Some(&mut self.expiry),
            _ => None,
        }
    }

    fn step(&mut self, forward: bool) {
        let fields = self.fields();
        let at = fields.iter().position(|f| *f == self.focus).unwrap_or(0);
        let next = if forward { (at + 1) % fields.len() } else { (at + fields.len() - 1) % fields.len() };
        self.focus = fields[next];
    }

    fn choose(&mut self, forward: bool) {
        match self.focus {
            Field::Kind => {
                let kinds = [AccountKind::Staff, AccountKind::Supply, AccountKind::Visitor];
                let at = kinds.iter().position(|k| *k == self.kind).unwrap_or(0);
                self.kind = kinds[if forward { (at + 1) % 3 } else { (at + 2) % 3 }];
            }
            Field::Role => {
                let at = ROLES.iter().position(|r| *r == self.role).unwrap_or(0);
                let n = ROLES.len();
                self.role = ROLES[if forward { (at + 1) % n } else { (at + n - 1) % n }];
            }
            _ => {}
        }
    }

    /// Paste into the field with the keys.
    pub fn paste(&mut self, text: &str) {
        if let Some(field) = self.text_field() {
            field.paste(text);
        }
    }

    /// A key while the form (not its review) has the keys.
    pub fn key(&mut self, key: KeyEvent, now: DateTime<Utc>, dates: Dates) -> FormKey {
        let action = keymap::lookup(&[keys::FORM_KEYS], &key);
        if action != Some(KeyAction::Back) {
            self.leave_asked = false;
        }
        match action {
            Some(KeyAction::Back) if self.has_text() && !self.leave_asked => {
                self.leave_asked = true;
                self.note = Note::error("Esc again leaves: what you typed here is lost.");
            }
            Some(KeyAction::Back) => return FormKey::Leave,
            Some(KeyAction::NextField) => self.step(true),
            Some(KeyAction::PrevField) => self.step(false),
            Some(KeyAction::Submit) if self.fields().last() != Some(&self.focus) => self.step(true),
            Some(KeyAction::Submit | KeyAction::Open) => return self.check(now, dates),
            _ if self.focus == Field::Groups => self.group_key(key),
            _ if matches!(self.focus, Field::Kind | Field::Role) => match key.code {
                KeyCode::Char(' ') | KeyCode::Right => self.choose(true),
                KeyCode::Left => self.choose(false),
                _ => self.note = Note::info("Space, ← or → choose here; Tab goes to the next field."),
            },
            _ => {
                if let Some(field) = self.text_field() {
                    field.input(key);
                }
            }
        }
        FormKey::Used
    }

    fn group_key(&mut self, key: KeyEvent) {
        let Some(groups) = self.groups.as_mut().filter(|g| !g.is_empty()) else {
            self.note = Note::info("There are no groups to choose yet: the list comes when the server answers.");
            return;
        };
        match key.code {
            KeyCode::Down => self.group_at = (self.group_at + 1).min(groups.len() - 1),
            KeyCode::Up => self.group_at = self.group_at.saturating_sub(1),
            KeyCode::Char(' ') => {
                if let Some(g) = groups.get_mut(self.group_at) {
                    g.1 = !g.1;
                }
            }
            _ => self.note = Note::info("↓/↑ move in the groups and Space marks one; Enter reviews."),
        }
    }

    /// Check what was typed and make the account to send; a problem goes in the note with the
    /// focus on its field.
    pub fn check(&mut self, now: DateTime<Utc>, dates: Dates) -> FormKey {
        match self.build(now, dates) {
            Ok(user) => {
                self.note = None;
                self.review = Some(user);
                FormKey::Review
            }
            Err((field, why)) => {
                self.focus = field;
                self.note = Note::error(why);
                FormKey::Used
            }
        }
    }

    fn build(&self, now: DateTime<Utc>, dates: Dates) -> Result<NewUser, (Field, String)> {
        let name = self.name.text().trim();
        let email = self.email.text().trim();
        if name.is_empty() {
            return Err((Field::Name, "Type their name as others should see it.".into()));
        }
        if !email.contains('@') {
            return Err((Field::Email, "Type their work email, e.g. s.brown@school.org.".into()));
        }
        let cover = self.kind != AccountKind::Staff;
        let expires_at = match self.expiry.text().trim() {
            "" => None,
            _ if !cover => None,
            text => Some(
                when::parse_ahead(text, now, dates, Duration::days(MAX_COVER_DAYS)).map_err(|e| (Field::Expiry, e))?,
            ),
        };
        let groups: Vec<String> = match (&self.groups, cover) {
            (Some(groups), true) => groups.iter().filter(|g| g.1).map(|g| g.0.clone()).collect(),
            _ => Vec::new(),
        };
        if cover && groups.is_empty() {
            return Err((
                Field::Groups,
                "Mark with Space the groups this cover may see: it sees nothing else.".into(),
            ));
        }
        Ok(NewUser {
            display_name: name.to_string(),
            email: email.to_string(),
            job_title: self.job.text().trim().to_string(),
            role: if cover { Role::Staff } else { self.role },
            kind: self.kind,
            expires_at,
            groups,
        })
    }

    /// The review's question for `user`.
    pub fn question(user: &NewUser, dates: Dates) -> String {
        let what = match user.kind {
            AccountKind::Staff => format!("a {} account", user.role.label()),
            kind => format!(
                "a {} account ending {}, seeing only {}",
                kind.label().to_lowercase(),
                user.expires_at.map_or("at the end of today".to_string(), |at| dates.long(at)),
                user.groups.join(", ")
            ),
        };
        format!(
            "Create {what} for {} ({})? A temporary password is shown once. y/n",
            user.display_name, user.email
        )
    }

    /// Draw the form over `area`.
    pub fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        f.render_widget(Clear, area);
        let block = ctx.block("New account").border_style(ctx.theme.focus());
        let inner = block.inner(area);
        f.render_widget(block, area);
        let cover = self.kind != AccountKind::Staff;
        let rows = Layout::vertical([
            Constraint::Length(3),
            Constraint::Length(3),
            Constraint::Length(3),
            Constraint::Length(1),
            Constraint::Length(if cover { 3 } else { 1 }),
            Constraint::Min(1),
        ])
        .split(inner);
        self.name.render(f, rows[0], self.focus == Field::Name, ctx.theme, ctx.glyphs);
        self.email.render(f, rows[1], self.focus == Field::Email, ctx.theme, ctx.glyphs);
        self.job.render(f, rows[2], self.focus == Field::Job, ctx.theme, ctx.glyphs);
        let choice = |label: &str, value: String, on: bool| {
            let mark = if on { ctx.glyphs.mark() } else { " " };
            let style = if on { ctx.theme.focus() } else { ctx.theme.text() };
            Line::from(vec![
                Span::styled(format!("{mark} {label}: "), style),
                Span::styled(format!("< {value} >"), style),
            ])
        };
        f.render_widget(
            Paragraph::new(choice("Kind", self.kind.label().to_string(), self.focus == Field::Kind)),
            rows[3],
        );
        if cover {
            self.expiry.render(f, rows[4], self.focus == Field::Expiry, ctx.theme, ctx.glyphs);
        } else {
            f.render_widget(
                Paragraph::new(choice("Role", self.role.label().to_string(), self.focus == Field::Role)),
                rows[4],
            );
        }
        let rest = rows[5];
        let note_h = if self.note.is_some() { 2.min(rest.height) } else { 0 };
        let parts = Layout::vertical([Constraint::Min(0), Constraint::Length(note_h)]).split(rest);
        if cover {
            self.render_groups(f, parts[0], ctx);
        } else {
            let help = "Enter: next field, then review. Space/←/→ choose the kind and role.";
            f.render_widget(
                Paragraph::new(help).style(ctx.theme.dim()).wrap(Wrap { trim: true }),
                parts[0],
            );
        }
        popup::note(f, parts[1], self.note.as_ref(), ctx.theme, ctx.glyphs);
    }

    fn render_groups(&self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let on = self.focus == Field::Groups;
        let style = if on { ctx.theme.focus() } else { ctx.theme.text() };
        let mark = if on { ctx.glyphs.mark() } else { " " };
        let mut lines = vec![Line::from(Span::styled(
            format!("{mark} Groups it may see (Space marks):"),
            style,
        ))];
        match &self.groups {
            None => lines.push(Line::from("  loading the groups…")),
            Some(groups) if groups.is_empty() => {
                lines.push(Line::from("  The setting has no tutor groups yet: a cover account could see nobody."))
            }
            Some(groups) => {
                let visible = usize::from(area.height.saturating_sub(1)).max(1);
                let first = self.group_at.saturating_sub(visible - 1);
                for (i, (name, marked)) in groups.iter().enumerate().skip(first).take(visible) {
                    let tick = if *marked { "[x]" } else { "[ ]" };
                    let row = format!("  {tick} {name}");
                    let here = on && i == self.group_at;
                    lines.push(Line::from(Span::styled(row, if here { ctx.theme.selected() } else { ctx.theme.text() })));
                }
            }
        }
        f.render_widget(Paragraph::new(lines), area);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-02T10:00:00Z").unwrap().to_utc()
    }

    fn typed(form: &mut UserForm, text: &str) {
        for c in text.chars() {
            form.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE), now(), Dates::UTC);
        }
    }

    fn press(form: &mut UserForm, code: KeyCode) -> FormKey {
        form.key(KeyEvent::new(code, KeyModifiers::NONE), now(), Dates::UTC)
    }

    #[test]
    fn a_cover_account_needs_its_groups_and_is_always_staff() {
        let mut form = UserForm::default();
        form.set_groups(vec![
            GroupInfo { scope: AccessScope::Year, name: "Year 9".into(), individuals: 3 },
            GroupInfo { scope: AccessScope::Group, name: "9B".into(), individuals: 3 },
        ]);
        assert_eq!(form.groups.as_ref().unwrap().len(), 1, "years are not offered");
        typed(&mut form, "Sam Supply");
        press(&mut form, KeyCode::Tab);
        typed(&mut form, "sam@agency.test");
        press(&mut form, KeyCode::Tab);
        press(&mut form, KeyCode::Tab);
        press(&mut form, KeyCode::Char(' '));
        assert_eq!(form.kind, AccountKind::Supply);
        press(&mut form, KeyCode::Tab);
        typed(&mut form, "tomorrow 17:00");
        press(&mut form, KeyCode::Enter);
        assert_eq!(form.focus, Field::Groups);
        assert_eq!(press(&mut form, KeyCode::Enter), FormKey::Used, "no group marked");
        assert!(form.note.as_ref().unwrap().text.contains("groups"));
        press(&mut form, KeyCode::Char(' '));
        assert_eq!(press(&mut form, KeyCode::Enter), FormKey::Review);
        let user = form.review.clone().unwrap();
        assert_eq!(user.role, Role::Staff);
        assert_eq!(user.groups, ["9B"]);
        assert_eq!(user.expires_at.unwrap().to_rfc3339(), "2026-12-03T17:00:00+00:00");
    }

    #[test]
    fn a_bad_expiry_says_what_to_type_and_keeps_the_focus_there() {
        let mut form = UserForm::default();
        form.set_groups(vec![GroupInfo { scope: AccessScope::Group, name: "9B".into(), individuals: 3 }]);
        typed(&mut form, "Vi Visitor");
        press(&mut form, KeyCode::Tab);
        typed(&mut form, "vi@x.test");
        form.focus = Field::Kind;
        press(&mut form, KeyCode::Left);
        assert_eq!(form.kind, AccountKind::Visitor);
        form.focus = Field::Expiry;
        typed(&mut form, "09:00");
        form.focus = Field::Groups;
        press(&mut form, KeyCode::Char(' '));
        assert_eq!(press(&mut form, KeyCode::Enter), FormKey::Used);
        assert_eq!(form.focus, Field::Expiry);
        assert!(form.note.as_ref().unwrap().text.contains("has passed already"));
        assert_eq!(form.expiry.text(), "09:00", "nothing typed is lost");
    }

    #[test]
    fn esc_over_typed_text_asks_once() {
        let mut form = UserForm::default();
        assert_eq!(press(&mut form, KeyCode::Esc), FormKey::Leave);
        typed(&mut form, "Sam");
        assert_eq!(press(&mut form, KeyCode::Esc), FormKey::Used);
        assert_eq!(press(&mut form, KeyCode::Esc), FormKey::Leave);
    }
}
