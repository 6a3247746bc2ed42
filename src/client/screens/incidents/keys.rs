//! The keys of the Incidents page (the list and its filters) and of an incident's view (its
//! actions, and the small forms they open). `?` help and the hint line come from these tables.

use crossterm::event::KeyCode;

use crate::client::keymap::{Binding, KeyAction, LIST, SCROLL, b, ch, ctrl, k};

/// `t`: the next period.
pub const PERIOD: KeyAction = KeyAction::Page(0);
/// `T`: type the dates.
pub const DATES: KeyAction = KeyAction::Page(1);
/// `I`: pick the individual.
pub const INDIVIDUAL: KeyAction = KeyAction::Page(2);
/// `y`: the type.
pub const KIND: KeyAction = KeyAction::Page(3);
/// `l`: the location.
pub const LOCATION: KeyAction = KeyAction::Page(4);
/// `f`: flagged.
pub const FLAGGED: KeyAction = KeyAction::Page(5);
/// `P`: parents informed.
pub const PARENTS: KeyAction = KeyAction::Page(6);
/// `m`: mine.
pub const MINE: KeyAction = KeyAction::Page(7);
/// `x`: clear the filters.
pub const CLEAR: KeyAction = KeyAction::Page(8);
/// `/`: the text filter over the rows loaded.
pub const FILTER: KeyAction = KeyAction::Page(9);

/// The list's own keys, after [`LIST`].
pub const LIST_KEYS: &[Binding] = &[
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Open, "open the incident", true),
    b(
        &[ch('t')],
        "t",
        PERIOD,
        "period: this week / 30 days / this term / all",
        true,
    ),
    b(&[ch('T')], "T", DATES, "period: type the dates (from, to)", false),
    b(&[ch('I')], "I", INDIVIDUAL, "only one individual (pick)", false),
    b(&[ch('y')], "y", KIND, "type: standard / physical intervention / any", false),
    b(&[ch('l')], "l", LOCATION, "location: the next one / any", false),
    b(&[ch('f')], "f", FLAGGED, "flagged / not flagged / any", false),
    b(&[ch('P')], "P", PARENTS, "parents informed / not / any", false),
    b(&[ch('m')], "m", MINE, "only mine (reported or present) on/off", false),
    b(&[ch('x')], "x", CLEAR, "clear the filters", true),
    b(&[ch('/')], "/", FILTER, "text filter over the rows loaded (fuzzy)", false),
];

/// The list while the text filter is typed in.
pub const TEXT_KEYS: &[Binding] = &[
    b(&[], "letters", KeyAction::Edit, "filter by reference, name, type or place (fuzzy)", false),
    b(&[k(KeyCode::Down), k(KeyCode::Up)], "↓/↑", KeyAction::Down, "move in the list", false),
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Open, "open the selected incident", true),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "clear the text filter", true),
];

/// The tables of the list.
pub const LIST_TABLES: &[&[Binding]] = &[LIST, LIST_KEYS];

/// Picking the individual (`I`).
pub const PICK_KEYS: &[Binding] = &[
    b(&[], "letters", KeyAction::Edit, "filter by name (fuzzy)", false),
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Open, "only this individual", true),
    b(
        &[k(KeyCode::Esc)],
        "Esc",
        KeyAction::Back,
        "clear the filter, else stop picking",
        true,
    ),
];

/// `p`: parents informed.
pub const INFORMED: KeyAction = KeyAction::Page(10);
/// `f`: flag or clear the flag.
pub const FLAG: KeyAction = KeyAction::Page(11);
/// `a`: add my account.
pub const ACCOUNT: KeyAction = KeyAction::Page(12);
/// `e`: edit.
pub const EDIT: KeyAction = KeyAction::Page(13);
/// `D`: delete.
pub const DELETE: KeyAction = KeyAction::Page(14);
/// `w`: download as Markdown.
pub const DOWNLOAD: KeyAction = KeyAction::Page(15);
/// `n`: a Smart Plan from this incident.
pub const PLAN: KeyAction = KeyAction::Page(16);

/// The view's keys (it takes every key: the global letters do not apply on it).
pub const VIEW_KEYS: &[Binding] = &[
    b(&[ch('p')], "p", INFORMED, "parents informed (when, how)", true),
    b(&[ch('f')], "f", FLAG, "flag for attention / clear the flag", true),
    b(&[ch('a')], "a", ACCOUNT, "add my account (staff present)", false),
    b(&[ch('e')], "e", EDIT, "edit (author or by permission)", false),
    b(&[ch('D')], "D", DELETE, "delete, with a reason (by permission)", false),
    b(&[ch('w')], "w", DOWNLOAD, "download as Markdown", true),
    b(&[ch('n')], "n", PLAN, "a Smart Plan from this incident", false),
    b(&[ch('?')], "?", KeyAction::Help, "keys of this screen", true),
    b(&[k(KeyCode::Esc), ch('q')], "Esc/q", KeyAction::Back, "back to the list", true),
];

/// The tables of the view: scrolling, then its own.
pub const VIEW_TABLES: &[&[Binding]] = &[SCROLL, VIEW_KEYS];

/// A small form on the view (parents informed, flag, delete): single-line fields.
pub const ASK_KEYS: &[Binding] = &[
    b(&[k(KeyCode::Tab), k(KeyCode::BackTab)], "Tab", KeyAction::NextField, "next field", false),
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Submit, "next field / send", true),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "cancel", true),
];

/// The account form: a long text.
pub const ACCOUNT_KEYS: &[Binding] = &[
    b(&[ctrl('s')], "Ctrl-S", KeyAction::Submit, "send my account", true),
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Edit, "new line", false),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "cancel (asks first when typed)", true),
];

/// "Delete it?"
pub const CONFIRM_KEYS: &[Binding] = &[
    b(&[ch('y')], "y", KeyAction::Submit, "yes, delete it", true),
    b(&[ch('n'), k(KeyCode::Esc)], "n/Esc", KeyAction::Back, "no, keep it", true),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::keymap::tests::assert_no_key_twice;
    use crate::client::keymap::{ALWAYS, GLOBAL};

    #[test]
    fn no_key_is_bound_twice() {
        assert_no_key_twice(&[LIST, LIST_KEYS, ALWAYS, GLOBAL]);
        assert_no_key_twice(&[SCROLL, VIEW_KEYS, ALWAYS]);
        assert_no_key_twice(&[ASK_KEYS, ALWAYS]);
        assert_no_key_twice(&[ACCOUNT_KEYS, ALWAYS]);
        assert_no_key_twice(&[CONFIRM_KEYS, ALWAYS]);
        assert_no_key_twice(&[crate::client::widgets::dates_form::DATE_KEYS, ALWAYS]);
        assert_no_key_twice(&[TEXT_KEYS, ALWAYS]);
    }
}
