//! The one key table of the client (README, "Keys"). Key handling, the `?` help overlay and
//! the status-bar hints are all generated from these tables, so they cannot disagree.
//!
//! Keys are bound to [`KeyAction`] ids, never to the internal `Action` type (ARCHITECTURE.md,
//! "Keys"). Choices beyond the shared keymap: `F1` also opens help, because `?` is a character
//! inside text fields (and `F1` works on the lock screen too); `t` cycles the dashboard period;
//! `v` reveals names in privacy mode on every page; `Tab` moves the dashboard's keys between
//! its two lists (the keymap gives `Tab` to a profile's next tab, the same idea: the next part
//! of the screen).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key means; screens match on these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAction {
    /// Show the keys of this screen.
    Help,
    /// Lock now.
    Lock,
    /// Quit (asks first when something typed would be lost).
    Quit,
    /// Back, cancel, close an overlay.
    Back,
    /// `q`: back; on the Dashboard, quit.
    BackOrQuit,
    /// A top-level screen.
    Go(Destination),
    /// Move the selection up one row.
    Up,
    /// Move the selection down one row.
    Down,
    /// First row.
    Top,
    /// Last row.
    Bottom,
    /// One page up.
    PageUp,
    /// One page down.
    PageDown,
    /// Open the selected row.
    Open,
    /// Privacy mode: show or hide full names.
    Reveal,
    /// Forms: next field.
    NextField,
    /// Forms: previous field.
    PrevField,
    /// Forms: next field, or submit from the last one.
    Submit,
    /// Lock screen: sign out and show the sign-in screen.
    SwitchUser,
    /// A field's own editing key (done by the field; listed in help).
    Edit,
    /// A key of one page, numbered by that page (its folder names the numbers), so a page
    /// adds keys without changing this module.
    Page(u8),
}

/// The top-level screens reachable with one letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// `d`.
    Dashboard,
    /// `p`.
    Profiles,
    /// `c`.
    Clicker,
    /// `r`.
    Record,
    /// `i`.
    Incidents,
    /// `s`.
    Plans,
    /// `a`.
    Analytics,
    /// `A`.
    Admin,
}

impl Destination {
    /// The screen's name as it will be titled.
    pub fn title(self) -> &'static str {
        match self {
            Destination::Dashboard => "Dashboard",
            Destination::Profiles => "Profiles",
            Destination::Clicker => "Behaviour Clicker",
            Destination::Record => "Record",
            Destination::Incidents => "Incidents",
            Destination::Plans => "Smart Plans",
            Destination::Analytics => "Analytics",
            Destination::Admin => "Admin",
        }
    }
}

/// One key (code + modifiers). For characters Shift is ignored: `G` arrives as `Char('G')`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpec {
    /// The key.
    pub code: KeyCode,
    /// Required modifiers (exactly, apart from Shift on characters).
    pub mods: KeyModifiers,
}

/// A key without modifiers.
pub const fn k(code: KeyCode) -> KeySpec {
    KeySpec {
        code,
        mods: KeyModifiers::NONE,
    }
}

/// A character key (Shift is part of the character: `G`).
pub const fn ch(c: char) -> KeySpec {
    k(KeyCode::Char(c))
}

/// Ctrl and a letter.
pub const fn ctrl(c: char) -> KeySpec {
    KeySpec {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

impl KeySpec {
    /// Does this key event match?
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        match (self.code, ev.code) {
            (KeyCode::Char(a), KeyCode::Char(b)) => {
                let mods = ev.modifiers - KeyModifiers::SHIFT;
                if self.mods.contains(KeyModifiers::CONTROL) {
                    a.eq_ignore_ascii_case(&b) && mods == self.mods
                } else {
                    a == b && mods == self.mods
                }
            }
            (KeyCode::BackTab, KeyCode::BackTab) => true,
            (a, b) => a == b && ev.modifiers == self.mods,
        }
    }
}

/// A row of the key table: the keys, how they are written in help, what they do.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// Every key that triggers it.
    pub keys: &'static [KeySpec],
    /// How the keys are written for people, e.g. `j/↓`.
    pub label: &'static str,
    /// What it does.
    pub action: KeyAction,
    /// One line of help.
    pub help: &'static str,
    /// Shown in the status bar's hint line (the most useful few).
    pub hint: bool,
}

/// A row of a key table.
pub const fn b(
    keys: &'static [KeySpec],
    label: &'static str,
    action: KeyAction,
    help: &'static str,
    hint: bool,
) -> Binding {
    Binding {
        keys,
        label,
        action,
        help,
        hint,
    }
}

/// The keys of lists and tables, for a page to put first in its own table.
pub const LIST: &[Binding] = &[
    b(&[ch('j'), k(KeyCode::Down)], "j/↓", KeyAction::Down, "next row", false),
    b(&[ch('k'), k(KeyCode::Up)], "k/↑", KeyAction::Up, "previous row", false),
    b(&[ch('g'), k(KeyCode::Home)], "g", KeyAction::Top, "first row", false),
    b(&[ch('G'), k(KeyCode::End)], "G", KeyAction::Bottom, "last row", false),
    b(&[k(KeyCode::PageUp)], "PgUp", KeyAction::PageUp, "page up", false),
    b(&[k(KeyCode::PageDown)], "PgDn", KeyAction::PageDown, "page down", false),
];

/// The keys that scroll a record's view (an incident, a plan), for a page to put first.
pub const SCROLL: &[Binding] = &[
    b(
        &[ch('j'), k(KeyCode::Down)],
        "j/↓",
        KeyAction::Down,
        "scroll down",
        false,
    ),
    b(&[ch('k'), k(KeyCode::Up)], "k/↑", KeyAction::Up, "scroll up", false),
    b(&[ch('g'), k(KeyCode::Home)], "g", KeyAction::Top, "top", false),
    b(&[ch('G'), k(KeyCode::End)], "G", KeyAction::Bottom, "bottom", false),
    b(&[k(KeyCode::PageUp)], "PgUp", KeyAction::PageUp, "page up", false),
    b(
        &[k(KeyCode::PageDown), ch(' ')],
        "PgDn",
        KeyAction::PageDown,
        "page down",
        false,
    ),
];

/// `Ctrl-Alt-c`: what a terminal reports for `Esc` typed just before `Ctrl-c` (the escape is
/// read as Alt), so locking right after `Esc` still locks.
const fn ctrl_alt(c: char) -> KeySpec {
    KeySpec {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL.union(KeyModifiers::ALT),
    }
}

/// Keys that work on every screen, also inside text fields.
pub const ALWAYS: &[Binding] = &[
    b(&[ctrl('l'), ctrl_alt('l')], "Ctrl-L", KeyAction::Lock, "lock now", true),
    b(&[k(KeyCode::F(1))], "F1", KeyAction::Help, "keys of this screen", true),
    b(&[ctrl('c')], "Ctrl-C", KeyAction::Quit, "quit", false),
];

/// Keys of every screen while no text field is being edited.
pub const GLOBAL: &[Binding] = &[
    b(&[ch('?')], "?", KeyAction::Help, "keys of this screen", true),
    b(
        &[ch('d')],
        "d",
        KeyAction::Go(Destination::Dashboard),
        "Dashboard",
        false,
    ),
    b(&[ch('p')], "p", KeyAction::Go(Destination::Profiles), "Profiles", false),
    b(
        &[ch('c')],
        "c",
        KeyAction::Go(Destination::Clicker),
        "Behaviour Clicker",
        false,
    ),
    b(
        &[ch('r')],
        "r",
        KeyAction::Go(Destination::Record),
        "Record: then i, p, m or c",
        false,
    ),
    b(
        &[ch('i')],
        "i",
        KeyAction::Go(Destination::Incidents),
        "Incidents",
        false,
    ),
    b(&[ch('s')], "s", KeyAction::Go(Destination::Plans), "Smart Plans", false),
    b(
        &[ch('a')],
        "a",
        KeyAction::Go(Destination::Analytics),
        "Analytics",
        false,
    ),
    b(&[ch('v')], "v", KeyAction::Reveal, "privacy: full names on/off", false),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "back one page", false),
    b(
        &[ch('q')],
        "q",
        KeyAction::BackOrQuit,
        "back; quit on the Dashboard",
        true,
    ),
];

/// `A`, Admin: a global key like those of [`GLOBAL`], but in help and hints only for a user
/// whose `/me` permissions say `administer` (for anyone else it only says "Admin is for
/// admins."; the server refuses them anyway).
pub const ADMIN: &[Binding] = &[b(&[ch('A')], "A", KeyAction::Go(Destination::Admin), "Admin", false)];

/// Sign-in and other forms (text fields are focused: letters are typed, not commands).
pub const FORM: &[Binding] = &[
    b(&[k(KeyCode::Tab)], "Tab", KeyAction::NextField, "next field", true),
    b(
        &[k(KeyCode::BackTab)],
        "Shift-Tab",
        KeyAction::PrevField,
        "previous field",
        false,
    ),
    b(
        &[k(KeyCode::Enter)],
        "Enter",
        KeyAction::Submit,
        "next field / submit",
        true,
    ),
    b(
        &[k(KeyCode::Esc)],
        "Esc",
        KeyAction::Back,
        "back to Sign in (asks first if typed)",
        false,
    ),
];

/// A step with one field (a code): no field to move to.
pub const CODE_FORM: &[Binding] = &[
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Submit, "send the code", true),
    b(
        &[k(KeyCode::Esc)],
        "Esc",
        KeyAction::Back,
        "back to Sign in (asks first if typed)",
        true,
    ),
];

/// "Sign in" itself: nothing to go back to.
pub const LOGIN_FORM: &[Binding] = &[
    b(&[k(KeyCode::Tab)], "Tab", KeyAction::NextField, "next field", true),
    b(
        &[k(KeyCode::BackTab)],
        "Shift-Tab",
        KeyAction::PrevField,
        "previous field",
        false,
    ),
    b(
        &[k(KeyCode::Enter)],
        "Enter",
        KeyAction::Submit,
        "next field / sign in",
        true,
    ),
];

/// The recovery codes, shown once: nothing leaves them but the answer to "saved?".
pub const RECOVERY: &[Binding] = &[
    b(
        &[k(KeyCode::Enter)],
        "Enter",
        KeyAction::Submit,
        "I have saved them (asks first)",
        true,
    ),
    b(&[ch('?')], "?", KeyAction::Help, "keys of this screen", true),
];

/// The lock screen.
pub const LOCK: &[Binding] = &[
    b(
        &[k(KeyCode::F(1))],
        "F1",
        KeyAction::Help,
        "keys of the lock screen",
        true,
    ),
    b(
        &[k(KeyCode::Enter)],
        "Enter",
        KeyAction::Submit,
        "unlock with your password",
        true,
    ),
    b(
        &[ctrl('s')],
        "Ctrl-S",
        KeyAction::SwitchUser,
        "switch user (signs you out)",
        true,
    ),
    b(&[ctrl('c')], "Ctrl-C", KeyAction::Quit, "quit", false),
];

/// The first action of `tables` (searched in order) that `ev` triggers.
pub fn lookup(tables: &[&[Binding]], ev: &KeyEvent) -> Option<KeyAction> {
    tables
        .iter()
        .flat_map(|t| t.iter())
        .find(|b| b.keys.iter().any(|k| k.matches(ev)))
        .map(|b| b.action)
}

/// The hint line for the status bar, at most `width` columns: `key action` pairs of the
/// bindings marked as hints. The help key comes first (the last one marked: `?` where it
/// works, else `F1`), so the way to every other key is never cut off at 80 columns; a pair
/// that does not fit is left out whole, never cut in the middle.
pub fn hints(tables: &[&[Binding]], width: usize) -> String {
    let marked: Vec<&Binding> = tables.iter().flat_map(|t| t.iter()).filter(|b| b.hint).collect();
    let help = marked.iter().rev().find(|b| b.action == KeyAction::Help);
    let rest = marked.iter().filter(|b| b.action != KeyAction::Help);
    let mut line = String::new();
    for b in help.into_iter().chain(rest) {
        let text = format!("{} {}", b.label, b.help);
        let sep = if line.is_empty() { "" } else { " · " };
        let len = line.chars().count() + sep.chars().count() + text.chars().count();
        if line.contains(&text) || len > width {
            continue;
        }
        line.push_str(sep);
        line.push_str(&text);
    }
    line
}

/// The help overlay's rows: `(keys, what)`, in table order, without duplicates.
pub fn help_rows(tables: &[&[Binding]]) -> Vec<(&'static str, &'static str)> {
    let mut rows: Vec<(&'static str, &'static str)> = Vec::new();
    for b in tables.iter().flat_map(|t| t.iter()) {
        if !rows.iter().any(|(l, _)| *l == b.label) {
            rows.push((b.label, b.help));
        }
    }
    rows
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn key(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn ctrl_l_locks_everywhere_and_letters_are_case_sensitive() {
        let ev = key(KeyCode::Char('l'), KeyModifiers::CONTROL);
        assert_eq!(lookup(&[ALWAYS], &ev), Some(KeyAction::Lock));
        let after_esc = key(KeyCode::Char('l'), KeyModifiers::CONTROL | KeyModifiers::ALT);
        assert_eq!(lookup(&[ALWAYS], &after_esc), Some(KeyAction::Lock));
        assert_eq!(
            lookup(&[ADMIN], &key(KeyCode::Char('A'), KeyModifiers::SHIFT)),
            Some(KeyAction::Go(Destination::Admin))
        );
        assert_eq!(lookup(&[GLOBAL], &key(KeyCode::Char('A'), KeyModifiers::SHIFT)), None);
        assert_eq!(
            lookup(&[GLOBAL], &key(KeyCode::Char('a'), KeyModifiers::NONE)),
            Some(KeyAction::Go(Destination::Analytics))
        );
        assert_eq!(
            lookup(&[LIST], &key(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(KeyAction::Bottom)
        );
        assert_eq!(lookup(&[GLOBAL], &key(KeyCode::Char('l'), KeyModifiers::NONE)), None);
        assert_eq!(
            lookup(&[FORM], &key(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(KeyAction::PrevField)
        );
        assert_eq!(
            lookup(&[LOCK], &key(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            Some(KeyAction::SwitchUser)
        );
    }

    /// Asserts that no key of `tables` is bound twice (tables that apply together).
    pub fn assert_no_key_twice(tables: &[&[Binding]]) {
        let all: Vec<&KeySpec> = tables
            .iter()
            .flat_map(|t| t.iter())
            .flat_map(|b| b.keys.iter())
            .collect();
        for (i, a) in all.iter().enumerate() {
            assert!(!all[i + 1..].contains(a), "{a:?} is bound twice");
        }
    }

    #[test]
    fn no_key_is_bound_twice_within_a_screen() {
        for tables in [
            &[ALWAYS, GLOBAL, ADMIN, LIST][..],
            &[ALWAYS, FORM, crate::client::widgets::text_field::EDITING][..],
            &[LOCK, crate::client::widgets::text_field::EDITING][..],
            &[ALWAYS, RECOVERY][..],
        ] {
            assert_no_key_twice(tables);
        }
    }

    #[test]
    fn help_and_hints_come_from_the_table() {
        let rows = help_rows(&[ALWAYS, GLOBAL, LIST]);
        assert!(rows.contains(&("j/↓", "next row")));
        assert!(rows.contains(&("Ctrl-L", "lock now")));
        let h = hints(&[ALWAYS, GLOBAL], 200);
        assert!(h.contains("Ctrl-L lock now") && h.contains("q back"));
        assert!(h.starts_with("? keys of this screen"), "{h}");
    }

    #[test]
    fn at_80_columns_the_help_key_is_hinted_first_and_pairs_are_never_cut() {
        for (tables, help) in [
            (&[LIST, ALWAYS, GLOBAL][..], "? keys of this screen"),
            (&[ALWAYS, FORM][..], "F1 keys of this screen"),
        ] {
            let h = hints(tables, 80);
            assert!(h.chars().count() <= 80, "{h}");
            assert!(h.starts_with(help), "{h}");
            assert!(!h.ends_with(' ') && !h.ends_with('·'), "{h}");
        }
    }
}
