//! Admin (`A`, admins only): the sections of administration, one key each. Each section is a
//! page of its own in this folder, pushed on top of the hub, so `Esc` there comes back here.
//! The server refuses every `/admin` call to anyone else; this menu only keeps it out of sight.
//!
//! Adding a section is its module here and one line of [`SECTIONS`].

pub mod access;
pub mod audit;
pub mod confirm;
pub mod lists;
pub mod review;
pub mod roles;
pub mod sessions;
pub mod staff;
pub mod staff_pick;

use std::any::Any;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{Ctx, Cx, Page, centered};
use crate::client::call::Typed;
use crate::client::keymap::{Binding, KeyAction, b, ch, k};

/// One section of administration.
pub struct Section {
    /// Its key on the hub.
    pub key: char,
    /// Its name.
    pub name: &'static str,
    /// What it is for, in a few words.
    pub what: &'static str,
    /// A new page of it.
    pub open: fn() -> Box<dyn Page>,
}

/// The sections, in the order the hub lists them.
pub const SECTIONS: &[Section] = &[
    Section {
        key: 'u',
        name: "Staff",
        what: "accounts, supply and visitor cover, CSV import",
        open: staff::new_page,
    },
    Section {
        key: 'o',
        name: "Roles",
        what: "what each role may do",
        open: roles::new_page,
    },
    Section {
        key: 'x',
        name: "Sessions",
        what: "who is signed in where; end them",
        open: sessions::new_page,
    },
    Section { key: 'g', name: "Access", what: "who can see whom, and key staff", open: access::new_page },
    Section { key: 'w', name: "Access review", what: "confirm each member of staff's access", open: review::new_page },
    Section { key: 'l', name: "Lists", what: "behaviours, locations, categories, bell times", open: lists::new_page },
    Section { key: 't', name: "Audit log", what: "every change, its chain and export", open: audit::new_page },
];

/// The keys of the hub besides each section's own (which it lists on screen, from
/// [`SECTIONS`]).
const KEYS: &[Binding] = &[
    b(&[k(KeyCode::Esc), ch('q')], "Esc/q", KeyAction::Back, "back", true),
    b(&[ch('?')], "?", KeyAction::Help, "keys of this screen", false),
];

/// The hub.
#[derive(Debug, Default)]
pub struct Admin;

/// A new Admin hub (for the registration in `screens`).
pub fn new_page() -> Admin {
    Admin
}

impl Page for Admin {
    fn title(&self) -> String {
        "Admin".into()
    }

    fn keys(&self) -> &'static [&'static [Binding]] {
        &[KEYS]
    }

    fn min_size(&self) -> (u16, u16) {
        (44, 15)
    }

    fn start(&mut self, _cx: &mut Cx) {}

    fn refresh(&mut self, _cx: &mut Cx) {}

    fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        match key.code {
            KeyCode::Char(c) => match SECTIONS.iter().find(|s| s.key == c) {
                Some(section) => cx.push((section.open)()),
                None if c == 'q' => cx.back(),
                None if c == '?' => cx.help(),
                None => return false,
            },
            KeyCode::Esc => cx.back(),
            _ => return false,
        }
        true
    }

    fn reply(&mut self, _reply: Typed, _cx: &mut Cx) {}

    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let mut lines: Vec<Line> = SECTIONS
            .iter()
            .map(|s| Line::from(format!("  {}  {:<14} {}", s.key, s.name, s.what)))
            .collect();
        if lines.is_empty() {
            lines.push(Line::from("  Nothing to administer yet."));
        }
        let height = u16::try_from(lines.len()).unwrap_or(u16::MAX).saturating_add(2);
        let box_area = centered(area, 64, height);
        f.render_widget(Paragraph::new(lines).block(ctx.block("Administration")), box_area);
    }

    fn summary(&self) -> String {
        "Admin".into()
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
