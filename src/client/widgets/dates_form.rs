//! The pop-up of two typed dates, "from" and "to" (`T` in Incidents and in Analytics): `Tab`
//! moves between them, `Enter` on "from" moves to "to" and `Enter` on "to" asks the screen to
//! read them (it says why a date was refused under the fields, and nothing typed is lost),
//! `Esc` leaves the period as it was. What the dates mean is the screen's: this holds the
//! text and draws it.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Clear, Paragraph};

use crate::client::keymap::{self, Binding, KeyAction, b, k};
use crate::client::screens::{Ctx, Note, centered};
use crate::client::widgets::popup;
use crate::client::widgets::text_field::TextField;

/// The keys of the form (for `?` help).
pub const DATE_KEYS: &[Binding] = &[
    b(
        &[k(KeyCode::Tab), k(KeyCode::BackTab)],
        "Tab",
        KeyAction::NextField,
        "from / to",
        true,
    ),
    b(
        &[k(KeyCode::Enter)],
        "Enter",
        KeyAction::Submit,
        "show this period",
        true,
    ),
    b(
        &[k(KeyCode::Esc)],
        "Esc",
        KeyAction::Back,
        "keep the period as it was",
        true,
    ),
];

/// What a key did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatesKey {
    /// It edited a field or moved between them.
    Used,
    /// `Enter` on "to": the screen reads the dates.
    Submit,
    /// `Esc`: close without changing the period.
    Back,
    /// `?` outside the fields' own keys: the screen shows its help.
    Help,
}

/// One of the two fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// "From".
    From,
    /// "To".
    To,
}

/// The two fields and the reason the last dates were refused.
#[derive(Debug)]
pub struct DatesForm {
    /// The pop-up's title.
    title: &'static str,
    /// From.
    pub from: TextField,
    /// To.
    pub to: TextField,
    /// The keys are on "to".
    on_to: bool,
    /// Why the dates were refused.
    note: Option<Note>,
}

impl DatesForm {
    /// A form titled `title` whose fields are labelled `from` and `to` (each label says what
    /// may be typed).
    pub fn new(title: &'static str, from: &'static str, to: &'static str) -> DatesForm {
        DatesForm {
            title,
            from: TextField::plain(from),
            to: TextField::plain(to),
            on_to: false,
            note: None,
        }
    }

    /// A key.
    pub fn key(&mut self, key: KeyEvent) -> DatesKey {
        match keymap::lookup(&[DATE_KEYS], &key) {
            Some(KeyAction::NextField) => self.on_to = !self.on_to,
            Some(KeyAction::Back) => return DatesKey::Back,
            Some(KeyAction::Submit) if !self.on_to && !self.from.is_empty() => self.on_to = true,
            Some(KeyAction::Submit) => return DatesKey::Submit,
            _ => {
                let field = if self.on_to { &mut self.to } else { &mut self.from };
                if !field.input(key) && key.code == KeyCode::Char('?') {
                    return DatesKey::Help;
                }
            }
        }
        DatesKey::Used
    }

    /// Pasted text, into the field that has the keys.
    pub fn paste(&mut self, text: &str) {
        match self.on_to {
            true => self.to.paste(text),
            false => self.from.paste(text),
        }
    }

    /// Say why the dates were refused (the fields keep what was typed).
    pub fn refuse(&mut self, why: impl Into<String>) {
        self.note = Note::error(why);
    }

    /// Say why the date in `which` was refused, and give that field the keys.
    pub fn refuse_at(&mut self, which: Which, why: impl Into<String>) {
        self.on_to = which == Which::To;
        self.refuse(why);
    }

    /// Draw over the middle of `area`.
    pub fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let popup_area = centered(area, 60, 11);
        f.render_widget(Clear, popup_area);
        let block = ctx.block(self.title).border_style(ctx.theme.focus());
        let inner = block.inner(popup_area);
        f.render_widget(block, popup_area);
        let rows = Layout::vertical([
            Constraint::Length(3),
            Constraint::Length(3),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .split(inner);
        self.from.render(f, rows[0], !self.on_to, ctx.theme, ctx.glyphs);
        self.to.render(f, rows[1], self.on_to, ctx.theme, ctx.glyphs);
        f.render_widget(
            Paragraph::new(
                ctx.glyphs
                    .text("Enter shows them · Tab from/to · Esc keeps the period")
                    .into_owned(),
            )
            .style(ctx.theme.dim()),
            rows[2],
        );
        popup::note(f, rows[3], self.note.as_ref(), ctx.theme, ctx.glyphs);
    }
}
