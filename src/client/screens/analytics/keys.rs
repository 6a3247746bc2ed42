//! The keys of Analytics (`a`) and of the incidents behind a row. `?` help and the hint line
//! come from these tables.

use crossterm::event::KeyCode;

use crate::client::keymap::{Binding, KeyAction, LIST, b, ch, k};

/// `b`: group the rows by the next dimension.
pub const BY: KeyAction = KeyAction::Page(0);
/// `t`: the next period.
pub const PERIOD: KeyAction = KeyAction::Page(1);
/// `I`: only these individuals (pick).
pub const INDIVIDUALS: KeyAction = KeyAction::Page(2);
/// `x`: clear the filters.
pub const CLEAR: KeyAction = KeyAction::Page(3);
/// `o`: sort by the next column.
pub const SORT: KeyAction = KeyAction::Page(4);
/// `O`: reverse the order.
pub const REVERSE: KeyAction = KeyAction::Page(5);
/// `h`: the next chart.
pub const CHART: KeyAction = KeyAction::Page(6);
/// `w`: save the table as CSV.
pub const SAVE: KeyAction = KeyAction::Page(7);
/// `Tab`: the next report type.
pub const NEXT_TYPE: KeyAction = KeyAction::Page(8);
/// `Shift-Tab`: the previous report type.
pub const PREVIOUS_TYPE: KeyAction = KeyAction::Page(9);
/// `T`: typed dates.
pub const DATES: KeyAction = KeyAction::Page(10);
/// `l`: only some locations.
pub const LOCATIONS: KeyAction = KeyAction::Page(11);
/// `S`: only some members of staff.
pub const STAFF: KeyAction = KeyAction::Page(12);
/// `B`: only some clicker behaviours.
pub const BEHAVIOURS: KeyAction = KeyAction::Page(13);
/// `F`: the saved filter sets (save, use, delete).
pub const SETS: KeyAction = KeyAction::Page(14);
/// `C`: the chronology of the individual of the row.
pub const CHRONOLOGY: KeyAction = KeyAction::Page(15);
/// `P`: print the report (the print command, else a .txt file).
pub const PRINT: KeyAction = KeyAction::Page(16);

/// The report's own keys, after [`LIST`].
pub const REPORT_KEYS: &[Binding] = &[
    b(&[k(KeyCode::Tab)], "Tab", NEXT_TYPE, "next report type", true),
    b(&[k(KeyCode::BackTab)], "Shift-Tab", PREVIOUS_TYPE, "previous report type", false),
    b(&[ch('b')], "b", BY, "rows by: the next grouping", true),
    b(
        &[ch('t')],
        "t",
        PERIOD,
        "period: this week / 30 days / this term / this school year",
        true,
    ),
    b(&[ch('T')], "T", DATES, "period: type the dates", false),
    b(&[ch('I')], "I", INDIVIDUALS, "only some individuals (pick)", false),
    b(&[ch('l')], "l", LOCATIONS, "only some locations", false),
    b(&[ch('S')], "S", STAFF, "only some staff", false),
    b(&[ch('B')], "B", BEHAVIOURS, "only some clicker behaviours", false),
    b(&[ch('x')], "x", CLEAR, "clear the filters", false),
    b(&[ch('F')], "F", SETS, "saved filter sets: save, use, delete", true),
    b(&[ch('o')], "o", SORT, "sort by the next column", false),
    b(&[ch('O')], "O", REVERSE, "reverse the order", false),
    b(&[ch('h')], "h", CHART, "the next chart", false),
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Open, "show related incidents", true),
    b(&[ch('C')], "C", CHRONOLOGY, "an individual's row: their chronology", false),
    b(&[ch('w')], "w", SAVE, "save the table as CSV", true),
    b(&[ch('P')], "P", PRINT, "print (print_command, else a .txt file)", false),
];

/// The tables of the report.
pub const REPORT_TABLES: &[&[Binding]] = &[LIST, REPORT_KEYS];

/// Picking the individuals of the filter.
pub const PICK_KEYS: &[Binding] = &[
    b(&[], "letters", KeyAction::Edit, "filter by name (fuzzy)", false),
    b(&[ch(' ')], "Space", KeyAction::Edit, "choose or unchoose", false),
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Open, "only the chosen individuals", true),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "clear the filter, else stop", true),
];

/// Choosing locations, staff or behaviours.
pub const CHOOSE_KEYS: &[Binding] = &[
    b(&[], "letters", KeyAction::Edit, "filter the list (fuzzy)", false),
    b(&[ch(' ')], "Space", KeyAction::Edit, "mark or unmark", false),
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Open, "only the marked ones", true),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "clear the typed filter, else close", true),
];

/// The incidents behind a row, after [`LIST`].
pub const RELATED_KEYS: &[Binding] = &[b(&[k(KeyCode::Enter)], "Enter", KeyAction::Open, "open the incident", true)];

/// The tables of the incidents behind a row.
pub const RELATED_TABLES: &[&[Binding]] = &[LIST, RELATED_KEYS];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::keymap::tests::assert_no_key_twice;
    use crate::client::keymap::{ALWAYS, GLOBAL};

    #[test]
    fn no_key_is_bound_twice() {
        assert_no_key_twice(&[LIST, REPORT_KEYS, ALWAYS, GLOBAL]);
        assert_no_key_twice(&[LIST, RELATED_KEYS, ALWAYS, GLOBAL]);
        assert_no_key_twice(&[LIST, super::super::sets::SET_KEYS, ALWAYS]);
    }
}
