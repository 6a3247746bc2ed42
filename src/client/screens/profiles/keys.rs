//! The keys of Profiles: the list's (with `/` to filter) and an open profile's (tabs, the
//! clicker, a communication, `r` then a record).

use crossterm::event::KeyCode;

use crate::client::keymap::{Binding, KeyAction, LIST, b, ch, k};

/// `Tab`: the next tab.
pub const NEXT_TAB: KeyAction = KeyAction::Page(0);
/// `Shift-Tab`: the previous tab.
pub const PREV_TAB: KeyAction = KeyAction::Page(1);
/// `1`-`8`: a tab.
pub const TAB: KeyAction = KeyAction::Page(2);
/// `c`: the clicker for this individual.
pub const CLICKER: KeyAction = KeyAction::Page(3);
/// `m`: a communication about them.
pub const MESSAGE: KeyAction = KeyAction::Page(4);
/// `r`: record (then `i`, `p`, `m` or `c`).
pub const RECORD: KeyAction = KeyAction::Page(5);
/// `/`: filter the list.
pub const FILTER: KeyAction = KeyAction::Page(6);
/// `n`: a new Smart Plan for them.
pub const NEW_PLAN: KeyAction = KeyAction::Page(7);
/// `C`: their chronology (incidents, clicks and communications in one timeline).
pub const CHRONOLOGY: KeyAction = KeyAction::Page(8);

/// The list's own keys, after [`LIST`].
pub const LIST_KEYS: &[Binding] = &[
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Open, "open the profile", true),
    b(&[ch('/')], "/", FILTER, "filter by name (fuzzy)", true),
];

/// The list while the filter is typed in.
pub const FILTER_KEYS: &[Binding] = &[
    b(&[], "letters", KeyAction::Edit, "filter by name (fuzzy: jsm finds Jo Smith)", false),
    b(&[k(KeyCode::Down), k(KeyCode::Up)], "↓/↑", KeyAction::Down, "move in the list", false),
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Open, "open the selected profile", true),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "clear the filter", true),
];

/// An open profile's keys.
pub const PROFILE_KEYS: &[Binding] = &[
    b(&[k(KeyCode::Tab)], "Tab", NEXT_TAB, "next tab", true),
    b(&[k(KeyCode::BackTab)], "Shift-Tab", PREV_TAB, "previous tab", false),
    b(
        &[ch('1'), ch('2'), ch('3'), ch('4'), ch('5'), ch('6'), ch('7'), ch('8')],
        "1-8",
        TAB,
        "a tab",
        false,
    ),
    b(&[ch('c')], "c", CLICKER, "Behaviour Clicker for them", true),
    b(&[ch('m')], "m", MESSAGE, "a communication about them", true),
    b(&[ch('r')], "r", RECORD, "record: then i, p, m or c", false),
    b(&[ch('n')], "n", NEW_PLAN, "a new Smart Plan for them", false),
    b(&[ch('C')], "C", CHRONOLOGY, "chronology: everything recorded, newest first", true),
    b(
        &[k(KeyCode::Enter)],
        "Enter",
        KeyAction::Open,
        "on Plans: open the plan; on Communications: respond",
        false,
    ),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "back to the list", true),
];

/// The tables of the list.
pub const LIST_TABLES: &[&[Binding]] = &[LIST, LIST_KEYS];
/// The tables while filtering.
pub const FILTER_TABLES: &[&[Binding]] = &[FILTER_KEYS];
/// The tables of an open profile (moving in its lists, then its own keys).
pub const PROFILE_TABLES: &[&[Binding]] = &[LIST, PROFILE_KEYS];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::keymap::tests::assert_no_key_twice;
    use crate::client::keymap::{ALWAYS, GLOBAL};

    #[test]
    fn no_key_is_bound_twice() {
        assert_no_key_twice(&[LIST, LIST_KEYS, ALWAYS, GLOBAL]);
        assert_no_key_twice(&[LIST, PROFILE_KEYS, ALWAYS]);
    }
}
