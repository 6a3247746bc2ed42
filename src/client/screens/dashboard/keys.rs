//! The Dashboard's keys: its key table (help and hints come from it) and the numbers of its own
//! key actions.

use crossterm::event::KeyCode;

use crate::client::keymap::{Binding, KeyAction, LIST, b, ch, k};

/// `t`: 7 days → 30 days → all.
pub const CYCLE_PERIOD: KeyAction = KeyAction::Page(0);
/// `Tab`: the keys move between the incidents and the notifications.
pub const SWITCH_PANE: KeyAction = KeyAction::Page(1);

/// The Dashboard's own keys, after the keys of every list ([`LIST`]).
pub const KEYS: &[Binding] = &[
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Open, "open the incident", true),
    b(&[ch('t')], "t", CYCLE_PERIOD, "7 days / 30 days / all", true),
    b(&[k(KeyCode::Tab)], "Tab", SWITCH_PANE, "incidents / notifications", true),
];

/// The tables of the lists: moving, then the Dashboard's own.
pub const LISTS: &[&[Binding]] = &[LIST, KEYS];

/// The open record on top of the lists (it takes every key while open).
pub const RECORD: &[&[Binding]] = &[DETAILS];

/// The keys of the open record.
pub const DETAILS: &[Binding] = &[
    b(
        &[k(KeyCode::Esc), k(KeyCode::Enter), ch('q')],
        "Esc/Enter/q",
        KeyAction::Back,
        "close the record",
        true,
    ),
    b(&[ch('?')], "?", KeyAction::Help, "keys of this screen", true),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::keymap::tests::assert_no_key_twice;
    use crate::client::keymap::{ALWAYS, GLOBAL};

    #[test]
    fn no_key_is_bound_twice() {
        assert_no_key_twice(&[LIST, KEYS, ALWAYS, GLOBAL]);
        assert_no_key_twice(&[DETAILS, ALWAYS]);
    }
}
