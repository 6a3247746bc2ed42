//! The keys of Smart Plans: the list's, a plan's view, and the builder's.

use crossterm::event::KeyCode;

use crate::client::keymap::{Binding, KeyAction, LIST, SCROLL, b, ch, ctrl, k};

/// `/`: filter the list.
pub const FILTER: KeyAction = KeyAction::Page(0);
/// `n`: a new plan.
pub const NEW: KeyAction = KeyAction::Page(1);
/// `e`: edit.
pub const EDIT: KeyAction = KeyAction::Page(2);
/// `w`: download.
pub const DOWNLOAD: KeyAction = KeyAction::Page(3);
/// `D`: delete.
pub const DELETE: KeyAction = KeyAction::Page(4);
/// `R`: resume a plan started earlier.
pub const RESUME: KeyAction = KeyAction::Page(5);

/// The list's own keys, after [`LIST`].
pub const LIST_KEYS: &[Binding] = &[
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Open, "open the plan", true),
    b(&[ch('/')], "/", FILTER, "filter by name or title (fuzzy)", true),
    b(&[ch('n')], "n", NEW, "new plan (pick the individual)", true),
    b(&[ch('e')], "e", EDIT, "edit the selected plan", false),
    b(&[ch('R')], "R", RESUME, "resume the plan you started (a draft)", false),
];

/// The tables of the list.
pub const LIST_TABLES: &[&[Binding]] = &[LIST, LIST_KEYS];

/// The list while the filter is typed in.
pub const FILTER_KEYS: &[Binding] = &[
    b(&[], "letters", KeyAction::Edit, "filter (fuzzy: jsm finds Jo Smith)", false),
    b(&[k(KeyCode::Down), k(KeyCode::Up)], "↓/↑", KeyAction::Down, "move in the list", false),
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Open, "open the selected plan", true),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "clear the filter", true),
];

/// Picking who a new plan is for.
pub const PICK_KEYS: &[Binding] = &[
    b(&[], "letters", KeyAction::Edit, "filter by name (fuzzy)", false),
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Open, "a plan for this individual", true),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "clear the filter, else stop", true),
];

/// A plan's view (it takes every key).
pub const VIEW_KEYS: &[Binding] = &[
    b(&[ch('e')], "e", EDIT, "edit it in the builder", true),
    b(&[ch('w')], "w", DOWNLOAD, "download as Markdown", true),
    b(&[ch('D')], "D", DELETE, "delete, with a reason (by permission)", false),
    b(&[ch('?')], "?", KeyAction::Help, "keys of this screen", true),
    b(&[k(KeyCode::Esc), ch('q')], "Esc/q", KeyAction::Back, "back", true),
];

/// The tables of a plan's view: scrolling, then its own.
pub const VIEW_TABLES: &[&[Binding]] = &[SCROLL, VIEW_KEYS];

/// Typing why a plan is deleted.
pub const DELETE_KEYS: &[Binding] = &[
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Submit, "delete it, with this reason", true),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "keep it", true),
];

/// The builder.
pub const BUILDER_KEYS: &[Binding] = &[
    b(&[ctrl('s')], "Ctrl-S", KeyAction::Submit, "save the plan", true),
    b(&[k(KeyCode::Tab)], "Tab", KeyAction::NextField, "next field", true),
    b(&[k(KeyCode::BackTab)], "Shift-Tab", KeyAction::PrevField, "previous field", false),
    b(
        &[k(KeyCode::Enter)],
        "Enter",
        KeyAction::Edit,
        "new line (title, review date: next field)",
        false,
    ),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "leave (asks first when typed)", true),
];

/// "Leave? What you typed will be lost."
pub const LEAVE_KEYS: &[Binding] = &[
    b(&[ch('y')], "y", KeyAction::Back, "leave: what you typed is lost", true),
    b(&[ch('n'), k(KeyCode::Esc)], "n/Esc", KeyAction::Open, "stay", true),
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
        assert_no_key_twice(&[BUILDER_KEYS, ALWAYS]);
        assert_no_key_twice(&[LEAVE_KEYS, ALWAYS]);
        assert_no_key_twice(&[DELETE_KEYS, ALWAYS]);
    }
}
