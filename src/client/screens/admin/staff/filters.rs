//! The filters of the staff list (the server's: role, locked, no 2FA, inactive for 90 days,
//! include ended), the query they make and how they read above the table.

use crate::wire::Role;

/// Every role, least privileged first (the order the role filter and choices go through).
pub const ROLES: [Role; 4] = [Role::Staff, Role::PastoralLead, Role::Dsl, Role::Admin];

/// The filters in force.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Filters {
    /// Only this role.
    pub role: Option<Role>,
    /// Only locked-out accounts.
    pub locked: bool,
    /// Only accounts without 2FA.
    pub no_2fa: bool,
    /// Only active accounts with no request in 90 days.
    pub inactive: bool,
    /// Deactivated and expired accounts too.
    pub include_ended: bool,
}

impl Filters {
    /// The next role of the role filter (any, then each role, then any again).
    pub fn next_role(&mut self) {
        self.role = match self.role.and_then(|r| ROLES.iter().position(|x| *x == r)) {
            None => Some(ROLES[0]),
            Some(at) => ROLES.get(at + 1).copied(),
        };
    }

    /// The query pairs of `GET /admin/users` (the names of `wire::AdminUserQuery`).
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if let Some(role) = self.role {
            let name = serde_json::to_value(role)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            pairs.push(("role", name));
        }
        for (on, key) in [
            (self.locked, "locked"),
            (self.no_2fa, "no_2fa"),
            (self.inactive, "inactive"),
            (self.include_ended, "include_ended"),
        ] {
            if on {
                pairs.push((key, "true".to_string()));
            }
        }
        pairs
    }

    /// The filters in words, e.g. `["DSL", "locked", "ended included"]` (`["everyone active"]`
    /// without any).
    pub fn describe(&self) -> Vec<&'static str> {
        let mut words: Vec<&'static str> = self.role.map(Role::label).into_iter().collect();
        for (on, word) in [
            (self.locked, "locked"),
            (self.no_2fa, "no 2FA"),
            (self.inactive, "inactive 90 days"),
            (self.include_ended, "ended included"),
        ] {
            if on {
                words.push(word);
            }
        }
        if words.is_empty() {
            words.push("every active account");
        }
        words
    }

    /// No filter is on.
    pub fn none(&self) -> bool {
        *self == Filters::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_filter_goes_through_every_role_then_any() {
        let mut f = Filters::default();
        let mut seen = Vec::new();
        for _ in 0..5 {
            f.next_role();
            seen.push(f.role);
        }
        assert_eq!(
            seen,
            [
                Some(Role::Staff),
                Some(Role::PastoralLead),
                Some(Role::Dsl),
                Some(Role::Admin),
                None
            ]
        );
    }

    #[test]
    fn the_query_names_are_the_wire_names() {
        let f = Filters {
            role: Some(Role::PastoralLead),
            locked: true,
            no_2fa: true,
            inactive: true,
            include_ended: true,
        };
        let pairs = f.pairs();
        assert_eq!(pairs[0], ("role", "pastoral_lead".to_string()));
        let keys: Vec<&str> = pairs.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["role", "locked", "no_2fa", "inactive", "include_ended"]);
        // The names are those the server's query type reads.
        let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let parsed: crate::wire::AdminUserQuery = serde_json::from_value(serde_json::json!({
            "role": "pastoral_lead", "locked": true, "no_2fa": true, "inactive": true, "include_ended": true
        }))
        .unwrap();
        assert_eq!(parsed.role, Some(Role::PastoralLead));
        assert_eq!(query.len(), 5);
        assert!(Filters::default().pairs().is_empty());
        assert_eq!(Filters::default().describe(), ["every active account"]);
    }
}
