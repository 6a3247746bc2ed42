//! What each role may do, in one table: [`permissions`]. Handlers decide with it, the store's
//! access rule ([`super::store::Viewer`]) reads `see_all_individuals` from it, and `GET /me`
//! reports it to the client (which only uses it to decide what to offer; SECURITY.md rule 27).

use crate::wire::{Permissions, Role};

/// What `role` may do.
///
/// | role | analytics | admin | delete incidents | edit every incident | delete plans | every individual |
/// |---|---|---|---|---|---|---|
/// | staff | yes (over the individuals they may see) | no | no | no (only their own reports) | no | no (only those granted in `access_permissions`) |
/// | pastoral lead | yes | no | no | yes | yes | yes |
/// | DSL | yes | no | yes | yes | yes | yes |
/// | admin | yes | yes | yes | yes | yes | yes |
pub fn permissions(role: Role) -> Permissions {
    let (view_analytics, administer, delete_incidents, edit_incidents, delete_plans, see_all_individuals) = match role {
        Role::Staff => (true, false, false, false, false, false),
        Role::PastoralLead => (true, false, false, true, true, true),
        Role::Dsl => (true, false, true, true, true, true),
        Role::Admin => (true, true, true, true, true, true),
    };
    Permissions {
        view_analytics,
        administer,
        delete_incidents,
        edit_incidents,
        delete_plans,
        see_all_individuals,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deny by default: the least privileged role may do nothing beyond its own individuals,
    /// and only admins administer.
    #[test]
    fn only_staff_are_limited_to_granted_individuals() {
        let staff = permissions(Role::Staff);
        // Analytics, over their own individuals only (the store's access rule counts).
        assert_eq!(
            staff,
            Permissions {
                view_analytics: true,
                ..Permissions::default()
            }
        );
        for role in [Role::PastoralLead, Role::Dsl, Role::Admin] {
            assert!(permissions(role).see_all_individuals, "{role:?}");
        }
        let admins: Vec<Role> = [Role::Staff, Role::PastoralLead, Role::Dsl, Role::Admin]
            .into_iter()
            .filter(|r| permissions(*r).administer)
            .collect();
        assert_eq!(admins, [Role::Admin]);
    }
}
