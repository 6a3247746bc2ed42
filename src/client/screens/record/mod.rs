//! "Record" (`r`): what to record, one key each: `i` Incident Report, `p` Physical
//! Intervention, `m` a Behaviour Communication, `c` the Behaviour Clicker. It gives way to the
//! form it opens, so `Esc` there comes back to where `r` was pressed.

use std::any::Any;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::{Ctx, Cx, Page, centered, clicker, compose, report};
use crate::client::call::Typed;
use crate::client::keymap::{Binding, KeyAction, b, ch, k};

/// One of the four records.
const PICK: KeyAction = KeyAction::Page(0);

/// The keys of the menu.
const KEYS: &[Binding] = &[
    b(&[ch('i')], "i", PICK, "Incident Report", true),
    b(&[ch('p')], "p", PICK, "Physical Intervention", true),
    b(&[ch('m')], "m", PICK, "Behaviour Communication", true),
    b(&[ch('c')], "c", PICK, "Behaviour Clicker", true),
    b(&[k(KeyCode::Esc), ch('q')], "Esc/q", KeyAction::Back, "back", true),
    b(&[ch('?')], "?", KeyAction::Help, "keys of this screen", false),
];

/// The menu.
#[derive(Debug, Default)]
pub struct Record;

/// A new Record menu (for the registration in `screens`).
pub fn new_page() -> Record {
    Record
}

impl Page for Record {
    fn title(&self) -> String {
        "Record".into()
    }

    fn keys(&self) -> &'static [&'static [Binding]] {
        &[KEYS]
    }

    fn min_size(&self) -> (u16, u16) {
        (40, 10)
    }

    fn modal(&self) -> bool {
        true
    }

    fn start(&mut self, _cx: &mut Cx) {}

    fn refresh(&mut self, _cx: &mut Cx) {}

    fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        match key.code {
            KeyCode::Char('i') => {
                cx.back();
                cx.push(Box::new(report::incident()));
            }
            KeyCode::Char('p') => {
                cx.back();
                cx.push(Box::new(report::physical_intervention()));
            }
            KeyCode::Char('m') => {
                cx.back();
                cx.push(Box::new(compose::new_page()));
            }
            KeyCode::Char('c') => {
                cx.back();
                cx.push(Box::new(clicker::new_page()));
            }
            KeyCode::Esc | KeyCode::Char('q') => cx.back(),
            KeyCode::Char('?') => cx.help(),
            _ => cx.say("Press i, p, m or c (Esc goes back)."),
        }
        true
    }

    fn reply(&mut self, _reply: Typed, _cx: &mut Cx) {}

    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let lines: Vec<Line> = KEYS
            .iter()
            .take(4)
            .map(|b| Line::from(format!("  {}  {}", b.label, b.help)))
            .collect();
        let box_area = centered(area, 50, 8);
        let block = ctx.block("What do you want to record?");
        f.render_widget(Paragraph::new(lines).block(block), box_area);
    }

    fn summary(&self) -> String {
        "Record".into()
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
