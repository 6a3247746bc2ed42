//! Roles (`o` on the Admin hub): each role, what it is for and what it may do, in plain words
//! from the server's one permission table (`GET /admin/roles`), with how many active accounts
//! have it.

use std::any::Any;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::client::api::{Answer, ApiError, Request};
use crate::client::call::{Call, Typed, take};
use crate::client::keymap::{self, Binding, KeyAction, SCROLL};
use crate::client::screens::{Ctx, Cx, Page};
use crate::wire::{Permissions, RoleList};

/// The reply of `GET /admin/roles`.
pub struct Reply(Result<RoleList, ApiError>);

/// The Roles page.
#[derive(Debug, Default)]
pub struct Roles {
    list: Option<RoleList>,
    failed: Option<String>,
    scroll: u16,
}

/// A new Roles page (for the hub's section).
pub fn new_page() -> Box<dyn Page> {
    Box::new(Roles::default())
}

/// What `p` allows, and what it does not, in words.
pub fn may(p: &Permissions) -> (Vec<&'static str>, Vec<&'static str>) {
    let all = [
        (p.see_all_individuals, "see every individual"),
        (p.view_analytics, "read analytics"),
        (p.edit_incidents, "edit every incident they may see"),
        (p.delete_incidents, "delete incidents (with a reason)"),
        (p.delete_plans, "delete Smart Plans (with a reason)"),
        (p.administer, "administer accounts and settings"),
    ];
    let yes = all.iter().filter(|(on, _)| *on).map(|(_, w)| *w).collect();
    let no = all.iter().filter(|(on, _)| !*on).map(|(_, w)| *w).collect();
    (yes, no)
}

impl Page for Roles {
    fn title(&self) -> String {
        "Admin: Roles".into()
    }

    fn keys(&self) -> &'static [&'static [Binding]] {
        &[SCROLL]
    }

    fn min_size(&self) -> (u16, u16) {
        (40, 12)
    }

    fn start(&mut self, cx: &mut Cx) {
        cx.call(Call::new(
            "roles",
            Request::get("/admin/roles").session(),
            |r: Result<Answer, ApiError>| Reply(r.and_then(Answer::typed)),
        ));
    }

    fn refresh(&mut self, cx: &mut Cx) {
        self.start(cx);
    }

    fn key(&mut self, key: KeyEvent, _cx: &mut Cx) -> bool {
        match keymap::lookup(&[SCROLL], &key) {
            Some(KeyAction::Down) => self.scroll = self.scroll.saturating_add(1),
            Some(KeyAction::Up) => self.scroll = self.scroll.saturating_sub(1),
            Some(KeyAction::PageDown) => self.scroll = self.scroll.saturating_add(10),
            Some(KeyAction::PageUp) => self.scroll = self.scroll.saturating_sub(10),
            Some(KeyAction::Top) => self.scroll = 0,
            Some(KeyAction::Bottom) => self.scroll = u16::MAX / 2,
            _ => return false,
        }
        true
    }

    fn reply(&mut self, reply: Typed, cx: &mut Cx) {
        match take::<Reply>(reply) {
            Some(Reply(Ok(list))) => {
                self.list = Some(list);
                self.failed = None;
            }
            Some(Reply(Err(e))) => {
                if !e.offline() {
                    cx.error(format!("Could not load the roles: {e}"));
                }
                self.failed = Some(e.to_string());
            }
            None => {}
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let lines: Vec<Line> = match (&self.list, &self.failed) {
            (Some(list), _) => list
                .items
                .iter()
                .flat_map(|r| {
                    let (yes, no) = may(&r.permissions);
                    let accounts = match r.accounts {
                        1 => "1 account".to_string(),
                        n => format!("{n} accounts"),
                    };
                    [
                        Line::from(Span::styled(format!("{} ({accounts})", r.role.label()), ctx.theme.title())),
                        Line::from(format!("  {}", r.description)),
                        Line::from(format!(
                            "  May: {}",
                            if yes.is_empty() { "see the individuals they are given".to_string() } else { yes.join(", ") }
                        )),
                        Line::from(format!("  May not: {}", if no.is_empty() { "-".to_string() } else { no.join(", ") })),
                        Line::from(""),
                    ]
                })
                .collect(),
            (None, Some(_)) => vec![Line::from(
                ctx.stale().unwrap_or_else(|| "The roles could not be loaded (the reason was shown).".into()),
            )],
            (None, None) => vec![Line::from("Loading the roles…")],
        };
        // The rows as drawn, wrapped, so the last role can always be scrolled to.
        let text = Paragraph::new(lines).wrap(Wrap { trim: false });
        let height = u16::try_from(text.line_count(area.width.saturating_sub(2).max(1))).unwrap_or(u16::MAX);
        let visible = area.height.saturating_sub(2);
        self.scroll = self.scroll.min(height.saturating_sub(visible));
        let title = match height > visible.saturating_add(self.scroll) {
            true => "Roles (more below: j/↓)",
            false => "Roles",
        };
        f.render_widget(text.scroll((self.scroll, 0)).block(ctx.block(title)), area);
    }

    fn summary(&self) -> String {
        format!("Roles {{ roles: {} }}", self.list.as_ref().map_or(0, |l| l.items.len()))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
