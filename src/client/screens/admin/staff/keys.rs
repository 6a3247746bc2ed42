//! The keys of the Staff page: the list and its filters, the actions on an account and their
//! confirmation, the create form, the bulk import and the one-time password screen. `?` help
//! and the hint line come from these tables, so they list exactly the keys that work.

use crossterm::event::KeyCode;

use crate::client::keymap::{Binding, KeyAction, LIST, b, ch, ctrl, k};

/// `/`: search by name or email (fuzzy) as you type.
pub const SEARCH: KeyAction = KeyAction::Page(0);
/// `n`: a new account (staff, supply cover or visitor).
pub const NEW: KeyAction = KeyAction::Page(1);
/// `b`: bulk create from a CSV file.
pub const IMPORT: KeyAction = KeyAction::Page(2);
/// `R`: only one role (the next one).
pub const ROLE: KeyAction = KeyAction::Page(3);
/// `L`: only locked-out accounts.
pub const LOCKED: KeyAction = KeyAction::Page(4);
/// `2`: only accounts without 2FA.
pub const NO_2FA: KeyAction = KeyAction::Page(5);
/// `I`: only accounts inactive for 90 days.
pub const INACTIVE: KeyAction = KeyAction::Page(6);
/// `E`: include deactivated and expired accounts.
pub const ENDED: KeyAction = KeyAction::Page(7);
/// `x`: clear the filters.
pub const CLEAR: KeyAction = KeyAction::Page(8);

/// The list's own keys, after [`LIST`].
pub const LIST_KEYS: &[Binding] = &[
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Open, "actions on the account", true),
    b(&[ch('/')], "/", SEARCH, "search by name or email (fuzzy)", true),
    b(&[ch('n')], "n", NEW, "new account (staff, supply cover, visitor)", true),
    b(&[ch('b')], "b", IMPORT, "bulk create from a CSV file", false),
    b(&[ch('R')], "R", ROLE, "role: the next one / any", false),
    b(&[ch('L')], "L", LOCKED, "only locked accounts on/off", false),
    b(&[ch('2')], "2", NO_2FA, "only accounts without 2FA on/off", false),
    b(&[ch('I')], "I", INACTIVE, "only inactive for 90 days on/off", false),
    b(&[ch('E')], "E", ENDED, "include deactivated and expired on/off", false),
    b(&[ch('x')], "x", CLEAR, "clear the filters", false),
];

/// The tables of the list.
pub const LIST_TABLES: &[&[Binding]] = &[LIST, LIST_KEYS];

/// The list while the search is typed in.
pub const SEARCH_KEYS: &[Binding] = &[
    b(&[], "letters", KeyAction::Edit, "search by name or email (fuzzy)", false),
    b(&[k(KeyCode::Down), k(KeyCode::Up)], "↓/↑", KeyAction::Down, "move in the list", false),
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Open, "actions on the selected account", true),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "clear the search", true),
];

/// `o`: change the role.
pub const SET_ROLE: KeyAction = KeyAction::Page(10);
/// `u`: unlock.
pub const UNLOCK: KeyAction = KeyAction::Page(11);
/// `p`: reset the password.
pub const RESET_PASSWORD: KeyAction = KeyAction::Page(12);
/// `f`: reset 2FA.
pub const RESET_2FA: KeyAction = KeyAction::Page(13);
/// `D`: deactivate.
pub const DEACTIVATE: KeyAction = KeyAction::Page(14);
/// `a`: reactivate.
pub const REACTIVATE: KeyAction = KeyAction::Page(15);
/// `e`: end every session.
pub const END_SESSIONS: KeyAction = KeyAction::Page(16);
/// `t`: move a cover account's end.
pub const EXPIRY: KeyAction = KeyAction::Page(17);

/// The actions on one account (a pop-up that takes every key).
pub const MENU_KEYS: &[Binding] = &[
    b(&[ch('o')], "o", SET_ROLE, "change the role", true),
    b(&[ch('u')], "u", UNLOCK, "unlock", false),
    b(&[ch('p')], "p", RESET_PASSWORD, "reset the password (a new temporary one)", false),
    b(&[ch('f')], "f", RESET_2FA, "reset 2FA", false),
    b(&[ch('D')], "D", DEACTIVATE, "deactivate", false),
    b(&[ch('a')], "a", REACTIVATE, "reactivate", false),
    b(&[ch('e')], "e", END_SESSIONS, "end every session", false),
    b(&[ch('t')], "t", EXPIRY, "move a cover account's end", false),
    b(&[ch('?')], "?", KeyAction::Help, "keys of this screen", true),
    b(&[k(KeyCode::Esc), ch('q')], "Esc/q", KeyAction::Back, "back to the list", true),
];

/// Choosing the new role.
pub const CHOOSE_KEYS: &[Binding] = &[
    b(&[ch('j'), k(KeyCode::Down)], "j/↓", KeyAction::Down, "next role", false),
    b(&[ch('k'), k(KeyCode::Up)], "k/↑", KeyAction::Up, "previous role", false),
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Submit, "this role (asks first)", true),
    b(&[ch('?')], "?", KeyAction::Help, "keys of this screen", true),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "keep the role", true),
];

/// Typing a new end for a cover account.
pub const EXPIRY_KEYS: &[Binding] = &[
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Submit, "move the end (asks first)", true),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "keep the end as it is", true),
];

/// "Deactivate Sam Brown? … y/n"
pub const CONFIRM_KEYS: &[Binding] = &[
    b(&[ch('y')], "y", KeyAction::Submit, "yes, do it", true),
    b(&[ch('n'), k(KeyCode::Esc)], "n/Esc", KeyAction::Back, "no, change nothing", true),
];

/// The create form.
pub const FORM_KEYS: &[Binding] = &[
    b(&[k(KeyCode::Tab)], "Tab", KeyAction::NextField, "next field", true),
    b(&[k(KeyCode::BackTab)], "Shift-Tab", KeyAction::PrevField, "previous field", false),
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Submit, "next field / review", true),
    b(&[ctrl('s')], "Ctrl-S", KeyAction::Open, "review and create", false),
    b(
        &[k(KeyCode::Char(' ')), k(KeyCode::Left), k(KeyCode::Right)],
        "Space/←/→",
        KeyAction::Edit,
        "choose (kind, role; Space marks a group)",
        false,
    ),
    b(&[k(KeyCode::Down), k(KeyCode::Up)], "↓/↑", KeyAction::Down, "move in the groups", false),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "leave (asks first when typed)", true),
];

/// The bulk import: the file's path, then what would happen.
pub const IMPORT_KEYS: &[Binding] = &[
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Submit, "check the file (nothing is created)", true),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "back to the list", true),
];

/// What an import would do: create them, or not.
pub const IMPORT_REVIEW_KEYS: &[Binding] = &[
    b(&[ch('j'), k(KeyCode::Down)], "j/↓", KeyAction::Down, "scroll down", false),
    b(&[ch('k'), k(KeyCode::Up)], "k/↑", KeyAction::Up, "scroll up", false),
    b(&[ch('y')], "y", KeyAction::Submit, "create these accounts", true),
    b(&[ch('n'), k(KeyCode::Esc)], "n/Esc", KeyAction::Back, "create nothing (back to the path)", true),
    b(&[ch('?')], "?", KeyAction::Help, "keys of this screen", true),
];

/// What an import would do when a line has a problem: nothing can be created, so no `y`.
pub const IMPORT_REFUSED_KEYS: &[Binding] = &[
    b(&[ch('j'), k(KeyCode::Down)], "j/↓", KeyAction::Down, "scroll down", false),
    b(&[ch('k'), k(KeyCode::Up)], "k/↑", KeyAction::Up, "scroll up", false),
    b(&[ch('n'), k(KeyCode::Esc)], "n/Esc", KeyAction::Back, "back to the path", true),
    b(&[ch('?')], "?", KeyAction::Help, "keys of this screen", true),
];

/// A temporary password shown once: nothing leaves it but the answer to "given?".
pub const ONCE_KEYS: &[Binding] = &[
    b(&[ch('j'), k(KeyCode::Down)], "j/↓", KeyAction::Down, "scroll down", false),
    b(&[ch('k'), k(KeyCode::Up)], "k/↑", KeyAction::Up, "scroll up", false),
    b(
        &[k(KeyCode::Enter), k(KeyCode::Esc)],
        "Enter/Esc",
        KeyAction::Back,
        "done (asks first: it is not shown again)",
        true,
    ),
    b(&[ch('?')], "?", KeyAction::Help, "keys of this screen", true),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::keymap::tests::assert_no_key_twice;
    use crate::client::keymap::{ADMIN, ALWAYS, GLOBAL};
    use crate::client::widgets::text_field::EDITING;

    #[test]
    fn no_key_is_bound_twice() {
        assert_no_key_twice(&[LIST, LIST_KEYS, ALWAYS, GLOBAL, ADMIN]);
        assert_no_key_twice(&[SEARCH_KEYS, ALWAYS, EDITING]);
        assert_no_key_twice(&[MENU_KEYS, ALWAYS]);
        assert_no_key_twice(&[CHOOSE_KEYS, ALWAYS]);
        assert_no_key_twice(&[EXPIRY_KEYS, ALWAYS, EDITING]);
        assert_no_key_twice(&[CONFIRM_KEYS, ALWAYS]);
        assert_no_key_twice(&[FORM_KEYS, ALWAYS, EDITING]);
        assert_no_key_twice(&[IMPORT_KEYS, ALWAYS, EDITING]);
        assert_no_key_twice(&[IMPORT_REVIEW_KEYS, ALWAYS]);
        assert_no_key_twice(&[IMPORT_REFUSED_KEYS, ALWAYS]);
        assert_no_key_twice(&[ONCE_KEYS, ALWAYS]);
    }
}
