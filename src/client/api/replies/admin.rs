//! Samples of the administration replies (`/admin/...`), every optional field present.

use crate::wire::{
    AccessConfirmation, AccessGrant, AccessReview, AccessScope, AccountKind, ActionDone, AdminSession, AdminUser,
    AdminUserList, AuditPage, AuditRow, AuditVerification, CreatedUser, CsvExport, Done, GroupInfo, GroupList,
    ImportReport, ImportRow, KeyStaffList, ListEntries, ListEntry, Permissions, ReviewRow, Role, RoleInfo, RoleList,
    Sentiment, SessionList, SettingList, UserAccess,
};

use super::{at, individual, staff};

/// An account with every optional field.
pub(super) fn admin_user() -> AdminUser {
    AdminUser {
        id: 12,
        email: "s.brown@school.test".into(),
        display_name: "Sam Brown".into(),
        job_title: "Supply teacher".into(),
        role: Role::Staff,
        kind: AccountKind::Supply,
        active: true,
        expires_at: Some(at()),
        expired: false,
        locked: true,
        failed_attempts: 6,
        totp_enabled: false,
        temporary_password: true,
        last_seen_at: Some(at()),
        live_sessions: 1,
        created_at: at(),
    }
}

pub(super) fn admin_user_list() -> AdminUserList {
    AdminUserList {
        items: vec![admin_user()],
        truncated: true,
    }
}

pub(super) fn created_user() -> CreatedUser {
    CreatedUser {
        user: admin_user(),
        temporary_password: "plinth-orbit-velvet-marrow-quay".into(),
    }
}

pub(super) fn import_report() -> ImportReport {
    ImportReport {
        dry_run: false,
        created: 1,
        rows: vec![ImportRow {
            line: 2,
            display_name: "Sam Brown".into(),
            email: "s.brown@school.test".into(),
            role: Some(Role::Staff),
            problem: Some("The email is already an account.".into()),
            temporary_password: Some("plinth-orbit-velvet-marrow-quay".into()),
        }],
    }
}

pub(super) fn action_done() -> ActionDone {
    ActionDone {
        message: "Unlocked Sam Brown's account.".into(),
        user: admin_user(),
        temporary_password: Some("plinth-orbit-velvet-marrow-quay".into()),
        sessions_ended: 2,
    }
}

pub(super) fn role_list() -> RoleList {
    RoleList {
        items: vec![RoleInfo {
            role: Role::PastoralLead,
            description: "Sees every individual and reads analytics.".into(),
            permissions: Permissions {
                view_analytics: true,
                see_all_individuals: true,
                ..Permissions::default()
            },
            accounts: 3,
        }],
    }
}

fn confirmation() -> AccessConfirmation {
    AccessConfirmation {
        by: staff(),
        at: at(),
        visible: 31,
    }
}

pub(super) fn user_access() -> UserAccess {
    UserAccess {
        user: staff(),
        role: Role::Staff,
        sees_all: false,
        grants: vec![
            AccessGrant {
                scope: AccessScope::Group,
                value: "9B".into(),
                individual: None,
                individuals: 28,
                granted_by: Some(staff()),
                granted_at: at(),
            },
            AccessGrant {
                scope: AccessScope::Individual,
                value: String::new(),
                individual: Some(individual()),
                individuals: 1,
                granted_by: None,
                granted_at: at(),
            },
        ],
        visible: 29,
        key_staff_of: vec![individual()],
        last_review: Some(confirmation()),
    }
}

pub(super) fn group_list() -> GroupList {
    GroupList {
        items: vec![GroupInfo {
            scope: AccessScope::Year,
            name: "Year 9".into(),
            individuals: 120,
        }],
    }
}

pub(super) fn key_staff_list() -> KeyStaffList {
    KeyStaffList {
        individual: individual(),
        items: vec![staff()],
    }
}

pub(super) fn access_review() -> AccessReview {
    AccessReview {
        items: vec![ReviewRow {
            user: staff(),
            role: Role::Staff,
            kind: AccountKind::Staff,
            summary: "9B and 1 individual".into(),
            visible: 29,
            last_review: Some(confirmation()),
            due: true,
        }],
        due: 1,
    }
}

pub(super) fn list_entries() -> ListEntries {
    ListEntries {
        list: SettingList::Behaviours,
        items: vec![ListEntry {
            id: 4,
            name: "Shouting out".into(),
            sentiment: Some(Sentiment::Negative),
            position: 1,
            active: false,
            uses: 210,
        }],
    }
}

pub(super) fn audit_page() -> AuditPage {
    AuditPage {
        items: vec![AuditRow {
            id: 1042,
            at: at(),
            actor: "admin@school.test".into(),
            actor_id: Some(1),
            action: "admin.user.unlock".into(),
            target: "user:12".into(),
            client_addr: "127.0.0.1".into(),
            outcome: "ok".into(),
            detail: "failed_attempts=6".into(),
        }],
        next_cursor: Some(1041),
    }
}

pub(super) fn audit_verification() -> AuditVerification {
    AuditVerification {
        intact: false,
        rows: 1042,
        verified_up_to: 1000,
        first_bad_row: Some(1001),
        head_hash: "9f2c".into(),
    }
}

pub(super) fn csv_export() -> CsvExport {
    CsvExport {
        filename: "audit-2026-12-02.csv".into(),
        csv: "id,at,actor\n1042,2026-12-02T09:15:00Z,admin@school.test\n".into(),
        rows: 1,
        truncated: true,
    }
}

pub(super) fn session_list() -> SessionList {
    SessionList {
        items: vec![AdminSession {
            id: 77,
            user: staff(),
            client: "bsmart/0.1".into(),
            address: "10.0.0.8".into(),
            since: at(),
            last_seen_at: at(),
            idle_expires_at: at(),
            current: true,
        }],
    }
}

pub(super) fn done() -> Done {
    Done {
        message: "Ended 2 sessions.".into(),
    }
}
