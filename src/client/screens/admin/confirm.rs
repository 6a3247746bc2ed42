//! The y/n question every change of the setting's sections asks first ("Confirm that Sam
//! Brown's access (31 individuals) is right?"): the question, and what to do on `y`.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::client::keymap::{Binding, KeyAction, b, ch, k};
use crate::client::screens::Ctx;
use crate::client::privacy::Privacy;
use crate::client::widgets::popup::popup;
use crate::wire::PupilName;

/// The keys of an open question.
pub const KEYS: &[Binding] = &[
    b(&[ch('y')], "y", KeyAction::Submit, "yes, do it", true),
    b(&[ch('n'), k(KeyCode::Esc)], "n/Esc", KeyAction::Back, "no, leave it as it is", true),
];

/// A question waiting for `y` or `n`, with the change `T` it would make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm<T> {
    /// The question (one sentence ending in `?`; it may name a pupil only through privacy).
    pub question: String,
    /// The change made on `y`.
    pub then: T,
    /// The pupil the question names as `{pupil}`, drawn through privacy when it is shown.
    pub pupil: Option<PupilName>,
}

/// What a key did to a question.
#[derive(Debug, PartialEq, Eq)]
pub enum Answered<T> {
    /// `y`: make the change.
    Yes(T),
    /// `n` or `Esc`: nothing changes.
    No,
    /// Any other key: the question stays.
    Waiting,
}

impl<T> Confirm<T> {
    /// Ask `question` before `then`.
    pub fn new(question: impl Into<String>, then: T) -> Confirm<T> {
        Confirm {
            question: question.into(),
            then,
            pupil: None,
        }
    }

    /// The question names `pupil` where it says `{pupil}`.
    pub fn about(mut self, pupil: PupilName) -> Confirm<T> {
        self.pupil = Some(pupil);
        self
    }

    /// The question as drawn: `{pupil}` through privacy.
    pub fn text(&self, privacy: &Privacy) -> String {
        match &self.pupil {
            Some(p) => self.question.replace("{pupil}", &privacy.name(p)),
            None => self.question.clone(),
        }
    }

    /// Take `key` as the answer to the question in `slot` (emptied unless still waiting).
    pub fn key(slot: &mut Option<Confirm<T>>, key: &KeyEvent) -> Answered<T> {
        match key.code {
            KeyCode::Char('y' | 'Y') => slot.take().map_or(Answered::No, |c| Answered::Yes(c.then)),
            KeyCode::Char('n' | 'N') | KeyCode::Esc => {
                *slot = None;
                Answered::No
            }
            _ => Answered::Waiting,
        }
    }

    /// Draw the question as a pop-up over `area`.
    pub fn render(&self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let lines = vec![
            Line::from(ctx.glyphs.text(&self.text(&ctx.privacy)).into_owned()),
            Line::from(""),
            Line::from("y: yes · n or Esc: no"),
        ];
        popup(f, area, "Confirm", lines, ctx.theme, ctx.glyphs);
    }
}

/// `4000` as `4,000` (counts in titles and messages).
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1 individual", "31 individuals".
pub fn individuals(n: i64) -> String {
    match n {
        1 => "1 individual".into(),
        n => format!("{} individuals", thousands(n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn y_gives_the_change_n_and_esc_drop_it_other_keys_wait() {
        let mut slot = Some(Confirm::new("Retire it?", 7));
        assert_eq!(Confirm::key(&mut slot, &key(KeyCode::Char('x'))), Answered::Waiting);
        assert!(slot.is_some());
        assert_eq!(Confirm::key(&mut slot, &key(KeyCode::Char('y'))), Answered::Yes(7));
        assert!(slot.is_none());
        for no in [KeyCode::Char('n'), KeyCode::Esc] {
            let mut slot = Some(Confirm::new("Retire it?", 7));
            assert_eq!(Confirm::key(&mut slot, &key(no)), Answered::No);
            assert!(slot.is_none());
        }
    }

    #[test]
    fn the_pupil_is_named_through_privacy() {
        let c = Confirm::new("Let Sam see {pupil}?", ()).about(PupilName::new("Jo Smith"));
        let hidden = Privacy { on: true, revealed: false };
        assert_eq!(c.text(&hidden), "Let Sam see J. S.?");
        assert_eq!(c.text(&Privacy::default()), "Let Sam see Jo Smith?");
    }

    #[test]
    fn counts_are_grouped_in_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(10_412), "10,412");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(-1_000), "-1,000");
        assert_eq!(individuals(1), "1 individual");
        assert_eq!(individuals(31), "31 individuals");
    }
}
