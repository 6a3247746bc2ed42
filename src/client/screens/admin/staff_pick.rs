//! Choosing a member of staff (the Access page, the audit log's user filter): every account of
//! `GET /admin/users`, filtered by name or email as you type (fuzzy), `Enter` to choose.
//! Only the visible slice of the list is built.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Paragraph, Wrap};

use crate::client::api::{Answer, ApiError, Request};
use crate::client::call::{Call, Typed};
use crate::client::fuzzy::Fuzzy;
use crate::client::keymap::{Binding, KeyAction, b, k};
use crate::client::screens::{Ctx, Cx};
use crate::client::widgets::slice_table::{SliceTable, follow};
use crate::client::widgets::text_field::TextField;
use crate::wire::{AdminUser, AdminUserList, StaffRef};

/// The keys while choosing.
pub const KEYS: &[Binding] = &[
    b(&[], "letters", KeyAction::Edit, "filter by name or email (fuzzy)", false),
    b(&[k(KeyCode::Down), k(KeyCode::Up)], "↓/↑", KeyAction::Down, "move in the list", false),
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Open, "choose this member of staff", true),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "clear the filter, else stop", true),
];

/// The reply of `GET /admin/users`.
pub struct Reply(Result<AdminUserList, ApiError>);

/// What a key did.
#[derive(Debug, PartialEq, Eq)]
pub enum Chosen {
    /// Used by the list.
    Used,
    /// This member of staff was chosen.
    Staff(StaffRef),
    /// `Esc` with nothing typed: stop choosing.
    Stop,
}

/// The list of staff with its filter. `Debug` prints counts only.
pub struct StaffPick {
    items: Option<Vec<AdminUser>>,
    shown: Vec<usize>,
    filter: TextField,
    fuzzy: Fuzzy,
    selected: usize,
    offset: usize,
    /// The last load failed (with the server's words).
    failed: Option<String>,
}

impl std::fmt::Debug for StaffPick {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "StaffPick {{ staff: {}, shown: {} }}",
            self.items.as_ref().map_or(0, Vec::len),
            self.shown.len()
        )
    }
}

impl Default for StaffPick {
    fn default() -> Self {
        StaffPick {
            items: None,
            shown: Vec::new(),
            filter: TextField::plain("Filter"),
            fuzzy: Fuzzy::new(),
            selected: 0,
            offset: 0,
            failed: None,
        }
    }
}

impl StaffPick {
    /// Ask for the staff (again).
    pub fn start(&mut self, cx: &mut Cx) {
        cx.call(Call::new(
            "admin-users",
            Request::get("/admin/users").session(),
            |r: Result<Answer, ApiError>| Reply(r.and_then(Answer::typed)),
        ));
    }

    /// Take `reply` when it is the list's; otherwise give it back.
    pub fn reply(&mut self, reply: Typed) -> Option<Typed> {
        let Reply(list) = match reply.downcast::<Reply>() {
            Ok(mine) => *mine,
            Err(other) => return Some(other),
        };
        match list {
            Ok(list) => {
                self.items = Some(list.items);
                self.failed = None;
                self.refilter();
            }
            Err(e) => self.failed = Some(format!("The staff could not be loaded: {e}")),
        }
        None
    }

    fn refilter(&mut self) {
        let items = self.items.as_deref().unwrap_or_default();
        let texts: Vec<String> = items.iter().map(|u| format!("{} {}", u.display_name, u.email)).collect();
        self.shown = self.fuzzy.rank(self.filter.text(), texts.iter().map(String::as_str));
        self.selected = self.selected.min(self.shown.len().saturating_sub(1));
    }

    /// The member of staff `id`, when listed.
    pub fn named(&self, id: i64) -> Option<&AdminUser> {
        self.items.as_ref()?.iter().find(|u| u.id == id)
    }

    /// Handle a key.
    pub fn key(&mut self, key: KeyEvent) -> Chosen {
        let last = self.shown.len().saturating_sub(1);
        match key.code {
            KeyCode::Esc if self.filter.is_empty() => return Chosen::Stop,
            KeyCode::Esc => {
                self.filter.wipe();
                self.refilter();
            }
            KeyCode::Down => self.selected = (self.selected + 1).min(last),
            KeyCode::Up => self.selected = self.selected.saturating_sub(1),
            KeyCode::Enter => {
                let items = self.items.as_deref().unwrap_or_default();
                if let Some(u) = self.shown.get(self.selected).and_then(|&at| items.get(at)) {
                    return Chosen::Staff(StaffRef {
                        id: u.id,
                        name: u.display_name.clone(),
                    });
                }
            }
            _ => {
                if self.filter.input(key) {
                    self.selected = 0;
                    self.refilter();
                }
            }
        }
        Chosen::Used
    }

    /// Pasted text goes to the filter.
    pub fn paste(&mut self, text: &str) {
        self.filter.paste(text);
        self.selected = 0;
        self.refilter();
    }

    /// Draw the filter and the list in `area`, titled `title`.
    pub fn render(&mut self, f: &mut Frame, area: Rect, title: &str, ctx: &Ctx<'_>) {
        let [filter_area, list_area] = Layout::vertical([Constraint::Length(3), Constraint::Min(3)]).areas(area);
        self.filter.render(f, filter_area, true, ctx.theme, ctx.glyphs);
        let count = match &self.items {
            Some(items) if self.filter.is_empty() => format!(" ({})", items.len()),
            Some(items) => format!(" ({} of {})", self.shown.len(), items.len()),
            None => String::new(),
        };
        let block = ctx.block(&format!("{title}{count}"));
        let empty = match (&self.items, &self.failed) {
            (_, Some(failed)) => Some(failed.as_str()),
            (None, None) => Some("Loading the staff…"),
            (Some(_), None) if self.shown.is_empty() => Some("Nobody matches the filter. Esc clears it."),
            _ => None,
        };
        if let Some(msg) = empty {
            let p = Paragraph::new(ctx.glyphs.text(msg).into_owned()).wrap(Wrap { trim: true });
            f.render_widget(p.block(block), list_area);
            return;
        }
        let inner = block.inner(list_area);
        f.render_widget(block, list_area);
        let visible = usize::from(inner.height.saturating_sub(1));
        self.offset = follow(self.offset, self.selected, visible);
        let items = self.items.as_deref().unwrap_or_default();
        let rows: Vec<[String; 3]> = self
            .shown
            .iter()
            .skip(self.offset)
            .take(visible)
            .filter_map(|&at| items.get(at))
            .map(|u| [u.display_name.clone(), u.role.label().to_string(), u.email.clone()])
            .collect();
        f.render_widget(
            SliceTable {
                header: ["Name", "Role", "Email"],
                min_widths: [10, 5, 8],
                shrink: &[2, 0],
                rows,
                selected: self.selected.checked_sub(self.offset),
                header_style: ctx.theme.header(),
                selected_style: ctx.theme.selected(),
                glyphs: ctx.glyphs,
            },
            inner,
        );
    }
}
