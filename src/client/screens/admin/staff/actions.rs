//! The actions on one account: which apply to it, and the question asked before each (every
//! action asks first, saying exactly what will happen).

use crate::client::dates::Dates;
use crate::client::keymap::KeyAction;
use crate::wire::{AccountKind, AdminUser, UserAction};

use super::keys;

/// An action waiting for its y/n.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    /// The account.
    pub user_id: i64,
    /// What to do.
    pub action: UserAction,
    /// The question, ending "y/n".
    pub question: String,
}

/// The actions of the menu, with their keys and what they are called, for `u` (those that do
/// not apply to it are left out).
pub fn menu(u: &AdminUser) -> Vec<(&'static str, &'static str)> {
    let all = [
        (keys::SET_ROLE, "o", "change the role"),
        (keys::UNLOCK, "u", "unlock"),
        (keys::RESET_PASSWORD, "p", "reset the password"),
        (keys::RESET_2FA, "f", "reset 2FA"),
        (keys::DEACTIVATE, "D", "deactivate"),
        (keys::REACTIVATE, "a", "reactivate"),
        (keys::END_SESSIONS, "e", "end every session"),
        (keys::EXPIRY, "t", "move the end of the cover"),
    ];
    all.into_iter()
        .filter(|(action, _, _)| refusal(u, *action).is_none())
        .map(|(_, key, what)| (key, what))
        .collect()
}

/// Why `action` does not apply to `u` (none when it does).
pub fn refusal(u: &AdminUser, action: KeyAction) -> Option<String> {
    let name = &u.display_name;
    match action {
        keys::SET_ROLE if u.kind != AccountKind::Staff => {
            Some(format!("{name} is a cover account: cover accounts are always staff."))
        }
        keys::UNLOCK if !u.locked => Some(format!("{name}'s account is not locked.")),
        keys::RESET_2FA if !u.totp_enabled => Some(format!("{name} has no 2FA to reset.")),
        keys::DEACTIVATE if !u.active => Some(format!("{name}'s account is deactivated already.")),
        keys::REACTIVATE if u.active => Some(format!("{name}'s account is active already.")),
        keys::END_SESSIONS if u.live_sessions == 0 => Some(format!("{name} has no session open.")),
        keys::EXPIRY if u.kind == AccountKind::Staff => {
            Some(format!("{name}'s is a staff account: it has no end to move."))
        }
        _ => None,
    }
}

/// The question asked before doing `action` to `u`.
pub fn question(u: &AdminUser, action: &UserAction, dates: Dates) -> String {
    let name = &u.display_name;
    match action {
        UserAction::SetRole { role } => format!(
            "Make {name} {}? What they may do and see changes at once. y/n",
            with_article(role.label())
        ),
        UserAction::Deactivate => format!(
            "Deactivate {name}? They are signed out everywhere at once and cannot sign in; what they recorded stays theirs. y/n"
        ),
        UserAction::Reactivate => format!("Reactivate {name}? They can sign in again. y/n"),
        UserAction::Unlock => format!("Unlock {name}'s account? Their failed sign-ins are forgotten. y/n"),
        UserAction::ResetPassword => format!(
            "Reset {name}'s password? They are signed out everywhere, and a new temporary password is shown once. y/n"
        ),
        UserAction::Reset2fa => format!(
            "Reset {name}'s 2FA? They are signed out everywhere and set it up again at their next sign-in. y/n"
        ),
        UserAction::EndSessions => format!(
            "End every session of {name} ({} open)? They are signed out everywhere. y/n",
            u.live_sessions
        ),
        UserAction::SetExpiry { expires_at } => format!(
            "End {name}'s cover at {}? y/n",
            dates.long(*expires_at)
        ),
    }
}

/// "a DSL", "an Admin", "a Pastoral lead".
fn with_article(role: &str) -> String {
    let article = match role.chars().next() {
        Some('A' | 'E' | 'I' | 'O' | 'U') => "an",
        _ => "a",
    };
    format!("{article} {role}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Role;

    fn user() -> AdminUser {
        let at = chrono::DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z").unwrap().to_utc();
        AdminUser {
            id: 1,
            email: "s.brown@school.test".into(),
            display_name: "Sam Brown".into(),
            job_title: String::new(),
            role: Role::Staff,
            kind: AccountKind::Staff,
            active: true,
            expires_at: None,
            expired: false,
            locked: false,
            failed_attempts: 0,
            totp_enabled: true,
            temporary_password: false,
            last_seen_at: None,
            live_sessions: 2,
            created_at: at,
        }
    }

    #[test]
    fn the_menu_offers_only_what_applies() {
        let keys: Vec<&str> = menu(&user()).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["o", "p", "f", "D", "e"]);
        let mut cover = user();
        cover.kind = AccountKind::Supply;
        cover.locked = true;
        cover.active = false;
        let keys: Vec<&str> = menu(&cover).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["u", "p", "f", "a", "e", "t"]);
        assert!(refusal(&user(), keys::UNLOCK).unwrap().contains("not locked"));
    }

    #[test]
    fn each_question_says_what_will_happen() {
        let u = user();
        assert_eq!(
            question(&u, &UserAction::Deactivate, Dates::UTC),
            "Deactivate Sam Brown? They are signed out everywhere at once and cannot sign in; what they recorded stays theirs. y/n"
        );
        assert!(question(&u, &UserAction::SetRole { role: Role::Admin }, Dates::UTC).starts_with("Make Sam Brown an Admin?"));
        assert!(question(&u, &UserAction::EndSessions, Dates::UTC).contains("(2 open)"));
    }
}
