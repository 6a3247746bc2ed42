//! The Behaviour Clicker's keys: its two steps' key tables (help and hints come from them) and
//! the keys the behaviours take, in clicker order (../shared/KEYS.md: `1`-`9`, `0`, then `a`-`z`
//! without `u`, `m`, `q` and `t`, which the log step keeps for itself).

use crossterm::event::KeyCode;

use crate::client::keymap::{Binding, KeyAction, KeySpec, b, ch, k};

/// The keys of the behaviours, in order: the first behaviour takes `1`.
pub const BEHAVIOUR_CHARS: &str = "1234567890abcdefghijklnoprsvwxyz";

/// A behaviour's key.
pub const LOG: KeyAction = KeyAction::Page(0);
/// `u`: undo the last click.
pub const UNDO: KeyAction = KeyAction::Page(1);
/// `t`: a time for the next clicks.
pub const TIME: KeyAction = KeyAction::Page(2);
/// `m`: a communication about this individual.
pub const MESSAGE: KeyAction = KeyAction::Page(3);
/// `Space`: mark an individual (pick step).
pub const MARK: KeyAction = KeyAction::Page(4);

/// Every behaviour key.
const BEHAVIOUR_KEYS: [KeySpec; 32] = {
    let chars = BEHAVIOUR_CHARS.as_bytes();
    let mut keys = [ch('1'); 32];
    let mut i = 0;
    while i < 32 {
        keys[i] = ch(chars[i] as char);
        i += 1;
    }
    keys
};

/// The position in clicker order that `c` logs, if it is a behaviour key.
pub fn behaviour_at(c: char) -> Option<usize> {
    BEHAVIOUR_CHARS.find(c)
}

/// The key of the behaviour at `position` in clicker order.
pub fn key_of(position: usize) -> Option<char> {
    BEHAVIOUR_CHARS.chars().nth(position)
}

/// The log step: every key one click (the global letter keys do not apply here).
pub const LOG_KEYS: &[Binding] = &[
    b(&BEHAVIOUR_KEYS, "1-9 0 a-z", LOG, "log that behaviour now (key beside each)", true),
    b(&[ch('u')], "u", UNDO, "undo the last click (10 seconds)", true),
    b(&[ch('t')], "t", TIME, "time for the next clicks: -20m, 10:15, p3", true),
    b(&[ch('m')], "m", MESSAGE, "write a communication about them", false),
    b(
        &[k(KeyCode::Esc), ch('q')],
        "Esc/q",
        KeyAction::Back,
        "clear the time typed, else pick another individual",
        true,
    ),
    b(&[ch('?')], "?", KeyAction::Help, "keys of this screen", true),
];

/// The pick step (letters go to the filter).
pub const PICK_KEYS: &[Binding] = &[
    b(&[k(KeyCode::Down)], "↓", KeyAction::Down, "next individual", false),
    b(&[k(KeyCode::Up)], "↑", KeyAction::Up, "previous individual", false),
    b(&[k(KeyCode::PageDown)], "PgDn", KeyAction::PageDown, "page down", false),
    b(&[k(KeyCode::PageUp)], "PgUp", KeyAction::PageUp, "page up", false),
    b(&[], "letters", KeyAction::Edit, "filter by name (fuzzy: jsm finds Jo Smith)", false),
    b(&[ch(' ')], "Space", MARK, "mark: the clicks go to each one marked", true),
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Open, "log for the marked, or the selected", true),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "clear the filter, else back", true),
    b(&[ch('?')], "?", KeyAction::Help, "keys of this screen", true),
];

/// Typing a time after `t`.
pub const TIME_KEYS: &[Binding] = &[
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Submit, "use this time for the next clicks", true),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "keep the time as it was", true),
];

/// The tables of each step.
pub const LOG_TABLES: &[&[Binding]] = &[LOG_KEYS];
/// The pick step's tables.
pub const PICK_TABLES: &[&[Binding]] = &[PICK_KEYS];
/// Typing a time.
pub const TIME_TABLES: &[&[Binding]] = &[TIME_KEYS];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::keymap::ALWAYS;
    use crate::client::keymap::tests::assert_no_key_twice;

    #[test]
    fn the_behaviour_keys_leave_out_the_step_keys_and_no_key_is_bound_twice() {
        assert_eq!(BEHAVIOUR_CHARS.chars().count(), 32);
        for kept in ['u', 'm', 'q', 't'] {
            assert!(behaviour_at(kept).is_none(), "{kept}");
        }
        assert_eq!(behaviour_at('1'), Some(0));
        assert_eq!(behaviour_at('0'), Some(9));
        assert_eq!(behaviour_at('a'), Some(10));
        assert_eq!(key_of(19), Some('j'));
        assert_no_key_twice(&[LOG_KEYS, ALWAYS]);
        assert_no_key_twice(&[PICK_KEYS, ALWAYS]);
    }
}
