//! An account in words: its states (locked, no 2FA, temporary password, expired, deactivated,
//! inactive 90 days) and the cells of its row in the staff list.

use chrono::{DateTime, Duration, Utc};

use crate::client::dates::Dates;
use crate::wire::{AccountKind, AdminUser};

/// Days without a request after which an active account reads "inactive".
pub const INACTIVE_DAYS: i64 = 90;

/// What is true of `u` at `now` that an admin should see, most serious first.
pub fn states(u: &AdminUser, now: DateTime<Utc>) -> Vec<&'static str> {
    let since = u.last_seen_at.unwrap_or(u.created_at);
    let inactive = u.active && !u.expired && now - since > Duration::days(INACTIVE_DAYS);
    [
        (!u.active, "deactivated"),
        (u.expired, "expired"),
        (u.locked, "locked"),
        (!u.totp_enabled, "no 2FA"),
        (u.temporary_password, "temporary password"),
        (inactive, "inactive 90 days"),
    ]
    .into_iter()
    .filter_map(|(on, word)| on.then_some(word))
    .collect()
}

/// The cells of `u`'s row: name, email, role, kind, state, last seen.
pub fn row(u: &AdminUser, now: DateTime<Utc>, dates: Dates) -> [String; 6] {
    let states = states(u, now);
    let kind = match (u.kind, u.expires_at) {
        (AccountKind::Staff, _) | (_, None) => u.kind.label().to_string(),
        (kind, Some(end)) => format!("{} to {}", kind.label(), dates.end(end)),
    };
    [
        u.display_name.clone(),
        u.email.clone(),
        u.role.label().to_string(),
        kind,
        if states.is_empty() { "ok".to_string() } else { states.join(", ") },
        u.last_seen_at.map_or_else(|| "never".to_string(), |at| dates.short(at)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Role;

    fn user() -> AdminUser {
        let at = DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z").unwrap().to_utc();
        AdminUser {
            id: 1,
            email: "a@b.test".into(),
            display_name: "Ann".into(),
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
            last_seen_at: Some(at),
            live_sessions: 0,
            created_at: at,
        }
    }

    #[test]
    fn states_say_what_needs_seeing() {
        let now = DateTime::parse_from_rfc3339("2026-12-02T10:00:00Z").unwrap().to_utc();
        assert!(states(&user(), now).is_empty());
        let mut u = user();
        u.locked = true;
        u.totp_enabled = false;
        u.temporary_password = true;
        assert_eq!(states(&u, now), ["locked", "no 2FA", "temporary password"]);
        let later = now + Duration::days(91);
        assert_eq!(states(&user(), later), ["inactive 90 days"]);
        let mut ended = user();
        ended.active = false;
        assert_eq!(states(&ended, later), ["deactivated"], "an ended account is not 'inactive'");
        assert_eq!(row(&user(), now, Dates::UTC)[4], "ok");
        assert_eq!(row(&user(), now, Dates::UTC)[5], "01/12/26 10:00");
    }
}
