//! Admin (`A`, admins only): the sections of administration, one key each. Each section is a
//! page of its own in this folder, pushed on top of the hub, so `Esc` there comes back here.
//! The server refuses every `/admin` call to anyone else; this menu only keeps it out of sight.
//!
//! Adding a section is its module here, one line of [`SECTIONS`] and one of [`OPEN`].

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
use crate::client::keymap::{self, Binding, KeyAction, b, ch, k};
use crate::client::widgets::fit::fit;

/// The sections' keys, in the order the hub lists them: `Page(i)` opens [`OPEN`]`[i]`, and
/// each help line is "Name: what it is for", which the hub shows as two columns. Being a key
/// table, `?` help lists the sections too.
const SECTIONS: &[Binding] = &[
    b(&[ch('u')], "u", KeyAction::Page(0), "Staff: accounts, supply and visitor cover, CSV import", false),
    b(&[ch('o')], "o", KeyAction::Page(1), "Roles: what each role may do", false),
    b(&[ch('x')], "x", KeyAction::Page(2), "Sessions: who is signed in where; end them", false),
    b(&[ch('g')], "g", KeyAction::Page(3), "Access: who can see whom, and key staff", false),
    b(&[ch('w')], "w", KeyAction::Page(4), "Access review: confirm each member of staff's access", false),
    b(&[ch('l')], "l", KeyAction::Page(5), "Lists: behaviours, locations, categories, bell times", false),
    b(&[ch('t')], "t", KeyAction::Page(6), "Audit log: every change, its chain and export", false),
];

/// A new page of each section, in the order of [`SECTIONS`].
const OPEN: &[fn() -> Box<dyn Page>] = &[
    staff::new_page,
    roles::new_page,
    sessions::new_page,
    access::new_page,
    review::new_page,
    lists::new_page,
    audit::new_page,
];
const _: () = assert!(SECTIONS.len() == OPEN.len(), "a section without its page, or a page without its key");

/// The keys of the hub besides the sections'.
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
        &[SECTIONS, KEYS]
    }

    fn min_size(&self) -> (u16, u16) {
        (44, 15)
    }

    fn start(&mut self, _cx: &mut Cx) {}

    fn refresh(&mut self, _cx: &mut Cx) {}

    fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        match keymap::lookup(&[SECTIONS, KEYS], &key) {
            Some(KeyAction::Page(i)) => match OPEN.get(usize::from(i)) {
                Some(open) => cx.push(open()),
                None => return false,
            },
            Some(KeyAction::Back) => cx.back(),
            Some(KeyAction::Help) => cx.help(),
            _ => return false,
        }
        true
    }

    fn reply(&mut self, _reply: Typed, _cx: &mut Cx) {}

    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let box_area = centered(area, 72, u16::try_from(SECTIONS.len()).unwrap_or(u16::MAX).saturating_add(2));
        // Name and purpose, the purpose cut with an ellipsis where the box is narrower.
        let width = usize::from(box_area.width.saturating_sub(2));
        let lines: Vec<Line> = SECTIONS
            .iter()
            .map(|s| {
                let (name, what) = s.help.split_once(": ").unwrap_or((s.help, ""));
                let line = format!("  {}  {name:<14} {what}", s.label);
                Line::from(fit(&line, width, ctx.glyphs.ellipsis()).into_owned())
            })
            .collect();
        f.render_widget(Paragraph::new(lines).block(ctx.block("Administration")), box_area);
    }

    fn summary(&self) -> String {
        "Admin".into()
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
