//! The reply types [`super::Answer::typed`] accepts, registered in one place.
//!
//! Every string of every reply is cleaned as it is decoded into one of these types
//! ([`super::cleaned`]), so no type needs code of its own for that. What this registry adds is
//! proof: [`ReplyType`] is implemented only by the [`reply_types!`] list below, which also
//! gives each type samples with every optional field present, and the property test of
//! SECURITY.md 36 (`tests/client_replies.rs`) sends each sample back with hostile text around
//! every string and checks that the client decodes exactly the clean sample. A new reply type
//! cannot be decoded until it is added here, and then it is under that test.

use chrono::{NaiveDate, TimeZone, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::wire::{
    AuthStep, DemoAccountInfo, ErrorBody, ErrorDetail, IncidentKind, IncidentPage, IncidentSummary, IndividualRef, Me,
    Notification, NotificationKind, NotificationList, PasswordRules, Permissions, PupilName, Role, SessionInfo,
    Setting, SupportContact, TotpEnrolment, User,
};

/// A type the client may decode from a successful reply.
pub trait ReplyType: DeserializeOwned {}

/// One sample of a registered reply type.
pub struct Sample {
    /// The type's name.
    pub type_name: &'static str,
    /// The sample as the server would send it.
    pub json: Value,
    /// Decode a body as the type, as the client does (every string cleaned), and encode it
    /// again (an error names what failed).
    pub through_type: fn(&[u8]) -> Result<Value, String>,
}

macro_rules! reply_types {
    ($($ty:ty => $samples:expr),* $(,)?) => {
        $(impl ReplyType for $ty {})*

        /// Samples of every registered reply type.
        pub fn samples() -> Vec<Sample> {
            let mut all = Vec::new();
            $(
                for sample in $samples {
                    all.push(Sample {
                        type_name: stringify!($ty),
                        json: serde_json::to_value(&sample).unwrap_or_default(),
                        through_type: |body| {
                            let typed: $ty = super::cleaned::from_json(body).map_err(|e| e.to_string())?;
                            serde_json::to_value(typed).map_err(|e| e.to_string())
                        },
                    });
                }
            )*
            all
        }
    };
}

reply_types! {
    Setting => [setting()],
    AuthStep => auth_steps(),
    TotpEnrolment => [TotpEnrolment {
        secret: "JBSWY3DPEHPK3PXP".into(),
        otpauth_url: "otpauth://totp/School:a@b.test?secret=JBSWY3DPEHPK3PXP".into(),
        challenge: Some("challenge".into()),
    }],
    Me => [Me {
        user: user(),
        permissions: Permissions { view_analytics: true, administer: false, delete_incidents: false, see_all_individuals: true },
        session: SessionInfo { idle_expires_at: at(), absolute_expires_at: at() },
    }],
    IncidentPage => [IncidentPage { items: vec![incident()], next_cursor: Some("cursor".into()), total: 1 }],
    NotificationList => [NotificationList { items: vec![notification()] }],
    ErrorBody => [ErrorBody { error: ErrorDetail { code: "invalid_code".into(), message: "The code is wrong.".into() } }],
}

fn at() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 10, 42, 0)
        .single()
        .unwrap_or_default()
}

fn user() -> User {
    User {
        id: 3,
        email: "teacher@school.test".into(),
        display_name: "Tess Teacher".into(),
        role: Role::Staff,
        totp_enabled: true,
    }
}

fn setting() -> Setting {
    Setting {
        id: "setting-1".into(),
        name: "Riverside Academy".into(),
        incident_prefix: "besmart".into(),
        password_rules: PasswordRules {
            min_chars: 10,
            min_chars_without_2fa: 15,
            max_chars: 256,
            require_2fa_for_all: false,
        },
        support: SupportContact {
            email: "help@school.test".into(),
            phone: "0100 000".into(),
            url: "https://help.school.test".into(),
        },
        demo: true,
        demo_accounts: vec![DemoAccountInfo {
            email: "teacher@demo.test".into(),
            password: "demo-teacher-passphrase".into(),
            role: Role::Staff,
            note: "no 2FA yet".into(),
        }],
    }
}

fn auth_steps() -> Vec<AuthStep> {
    vec![
        AuthStep::Ok {
            token: "token".into(),
            user: user(),
            recovery_codes: vec!["ABCD-EFGH-IJKL-MNOP".into()],
            recovery_codes_left: Some(2),
        },
        AuthStep::TotpRequired {
            challenge: "challenge".into(),
            demo_hint: Some("123456".into()),
        },
        AuthStep::TotpEnrolmentRequired {
            challenge: "challenge".into(),
        },
        AuthStep::PasswordChangeRequired {
            challenge: "challenge".into(),
            min_chars: 15,
        },
    ]
}

fn individual() -> IndividualRef {
    IndividualRef {
        id: 7,
        name: PupilName::new("Ann Smith"),
    }
}

fn incident() -> IncidentSummary {
    IncidentSummary {
        reference: "besmart-10281".into(),
        occurred_at: at(),
        individual: individual(),
        kind: IncidentKind::PhysicalIntervention,
        category: "Disruption".into(),
        location: "Corridor B".into(),
        flagged: true,
        parents_informed: false,
    }
}

fn notification() -> Notification {
    Notification {
        id: 1,
        kind: NotificationKind::PlanReview,
        individual: Some(individual()),
        incident_reference: Some("besmart-10281".into()),
        communication_id: None,
        actor: Some("Lee Lead".into()),
        due_on: NaiveDate::from_ymd_opt(2026, 12, 4),
        created_at: at(),
        read: false,
    }
}
