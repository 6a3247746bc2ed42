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
    AccessEntry, AccessReview, ActionDone, AdminUser, AdminUserList, AuditPage, AuditVerification, AuthStep, Behaviour,
    BehaviourList, BellPeriod, ChronologyEntry, ChronologyItem, ChronologyPage, Click, ClickCount, ClickPage,
    ColumnKind, Communication, CommunicationResponse, CreatedUser, CsvExport, DemoAccountInfo, Dimension, Done, Draft,
    DraftKind, DraftList, DraftSummary, ErrorBody, ErrorDetail, Exclusion, FieldChange, FilterSet, FilterSetList,
    FlagRecord, GroupList, ImportReport, Incident, IncidentActions, IncidentKind, IncidentPage, IncidentSummary,
    IndividualDetails, IndividualOverview, IndividualPage, IndividualRef, IndividualSummary, Injury, KeyContact,
    KeyStaffList, ListEntries, ListEntry, ListItem, ListItems, MarkdownExport, Me, Notification, NotificationKind,
    NotificationList, ParentsInformedRecord, PasswordRules, PeriodList, Permissions, PhysicalRecord, Pild, Plan,
    PlanList, PlanSummary, PupilName, Report, ReportColumn, ReportKind, ReportRow, ReportSeries, ReportTotal, Revision,
    Role, RoleList, SavedFilters, SavedPeriod, Sentiment, SessionInfo, SessionList, Setting, StaffAccount, StaffList,
    StaffRef, SupportContact, TechniqueLists, TechniqueUse, Tone, TotpEnrolment, User, UserAccess,
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
        permissions: Permissions { view_analytics: true, administer: false, delete_incidents: false, edit_incidents: true, delete_plans: false, see_all_individuals: true },
        session: SessionInfo { idle_expires_at: at(), absolute_expires_at: at() },
    }],
    IncidentPage => [IncidentPage { items: vec![incident()], next_cursor: Some("cursor".into()), total: 1 }],
    NotificationList => [NotificationList { items: vec![notification()] }],
    IndividualPage => [IndividualPage { items: vec![individual_summary()], next_cursor: Some("cursor".into()) }],
    IndividualDetails => [individual_details()],
    IndividualOverview => [individual_overview()],
    BehaviourList => [BehaviourList { items: vec![Behaviour { id: 1, name: "Shouting out".into(), sentiment: Sentiment::Negative, position: 1 }], retired: vec![] }],
    PeriodList => [PeriodList { items: vec![BellPeriod {
        number: 3,
        name: "Period 3".into(),
        starts: chrono::NaiveTime::from_hms_opt(11, 10, 0).unwrap_or_default(),
        ends: chrono::NaiveTime::from_hms_opt(12, 10, 0).unwrap_or_default(),
    }] }],
    ClickPage => [ClickPage { items: vec![click()], next_cursor: Some("cursor".into()) }],
    ErrorBody => [ErrorBody { error: ErrorDetail { code: "invalid_code".into(), message: "The code is wrong.".into() } }],
    Incident => [full_incident()],
    ListItems => [ListItems { items: vec![item(1, "Corridor B")] }],
    TechniqueLists => [TechniqueLists { deescalation: vec![item(1, "Calm, low voice")], physical: vec![item(9, "Friendly hold")] }],
    StaffList => [StaffList { items: vec![staff()] }],
    PlanList => [PlanList { items: vec![plan_summary()] }],
    Plan => [plan()],
    DraftList => [DraftList { items: vec![DraftSummary { id: uuid(), kind: DraftKind::Incident, started_at: at(), saved_at: at() }] }],
    Draft => [Draft {
        id: uuid(),
        kind: DraftKind::PhysicalIntervention,
        started_at: at(),
        saved_at: at(),
        content: serde_json::json!({"what_happened": "Left the room.", "individual_ids": [7]}),
    }],
    MarkdownExport => [MarkdownExport { filename: "besmart-10281.md".into(), markdown: "# besmart-10281\n\nLeft the room.".into() }],
    AdminUserList => [admin::admin_user_list()],
    AdminUser => [admin::admin_user()],
    CreatedUser => [admin::created_user()],
    ImportReport => [admin::import_report()],
    ActionDone => [admin::action_done()],
    RoleList => [admin::role_list()],
    UserAccess => [admin::user_access()],
    GroupList => [admin::group_list()],
    KeyStaffList => [admin::key_staff_list()],
    AccessReview => [admin::access_review()],
    ListEntries => [admin::list_entries()],
    ListEntry => [admin::list_entries().items.remove(0)],
    AuditPage => [admin::audit_page()],
    AuditVerification => [admin::audit_verification()],
    CsvExport => [admin::csv_export()],
    SessionList => [admin::session_list()],
    Done => [admin::done()],
    Report => [report()],
    FilterSetList => [FilterSetList { items: vec![filter_set()] }],
    FilterSet => [filter_set()],
    ChronologyPage => [ChronologyPage {
        items: vec![
            ChronologyEntry { at: at(), by: staff(), item: ChronologyItem::Incident {
                reference: "besmart-10281".into(), kind: IncidentKind::Incident, category: "Verbal abuse".into(), location: "Hall".into(), flagged: true,
            } },
            ChronologyEntry { at: at(), by: staff(), item: ChronologyItem::Click { behaviour: "Shouting out".into() } },
            ChronologyEntry { at: at(), by: staff(), item: ChronologyItem::Communication { tone: Tone::Positive, message: "A good morning.".into() } },
        ],
        next_cursor: Some("cursor".into()),
    }],
}

mod admin;

fn report() -> Report {
    let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
    Report {
        kind: ReportKind::Global,
        title: "Global Incident Report".into(),
        by: Dimension::Category,
        from: day,
        to: day,
        previous_from: day,
        previous_to: day,
        totals: vec![ReportTotal {
            label: "Incidents".into(),
            value: 3.0,
            previous: 2.0,
            kind: ColumnKind::Count,
        }],
        label: "Category".into(),
        columns: vec![ReportColumn {
            title: "Incidents".into(),
            kind: ColumnKind::Count,
        }],
        rows: vec![ReportRow {
            key: Some("category:1".into()),
            label: "Disruption".into(),
            figures: vec![Some(3.0)],
        }],
        bucket: "day".into(),
        buckets: vec!["2026-11-30".into()],
        series: vec![ReportSeries {
            name: "Incidents".into(),
            points: vec![3],
        }],
        grid: Some(vec![vec![0; 24]; 7]),
    }
}

/// A saved filter set with every list and a typed period.
fn filter_set() -> FilterSet {
    FilterSet {
        id: 3,
        name: "Year 9, hall, this term".into(),
        filters: SavedFilters {
            period: Some(SavedPeriod::Dates {
                from: NaiveDate::from_ymd_opt(2026, 9, 1).unwrap_or_default(),
                to: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default(),
            }),
            individual_ids: vec![7],
            behaviour_ids: vec![2],
            location_ids: vec![4],
            staff_ids: vec![5],
        },
        individuals: vec![individual()],
        hidden: 1,
        saved_at: at(),
    }
}

fn item(id: i64, name: &str) -> ListItem {
    ListItem { id, name: name.into() }
}

fn full_incident() -> Incident {
    let technique = |id, name| TechniqueUse {
        technique: item(id, name),
        effectiveness: 4,
    };
    Incident {
        reference: "besmart-10281".into(),
        id: uuid(),
        kind: IncidentKind::PhysicalIntervention,
        individuals: vec![individual()],
        occurred_at: at(),
        location: item(2, "Corridor B"),
        category: item(3, "Disruption"),
        what_happened: "Left the room without asking.".into(),
        staff_present: vec![staff()],
        others_involved: vec![individual()],
        others_withheld: 1,
        injury: Injury {
            occurred: true,
            details: "Grazed knee, cleaned.".into(),
        },
        pild: Pild {
            perspective: "Felt the room was too loud.".into(),
            feelings: "Angry".into(),
            next_time: "Ask for a break card.".into(),
            triggers: "Noise".into(),
            adjustments: "Quiet space".into(),
            comments: "None".into(),
            discriminatory: true,
            discriminatory_details: "A name-calling remark".into(),
            exclusion: Exclusion::Suspension,
        },
        physical: Some(PhysicalRecord {
            started_at: at(),
            ended_at: at(),
            low_behaviours: "Pacing".into(),
            medium_behaviours: "Shouting".into(),
            high_behaviours: "Throwing a chair".into(),
            staff_response: "Gave space.".into(),
            alternative_responses: "Offer the quiet room sooner.".into(),
            deescalation: vec![technique(1, "Calm, low voice")],
            physical_techniques: vec![technique(9, "Friendly hold")],
        }),
        reported_by: staff(),
        created_at: at(),
        updated_at: at(),
        revision: 2,
        parents_informed: Some(ParentsInformedRecord {
            at: at(),
            how: "Phone call".into(),
            by: staff(),
        }),
        flag: Some(FlagRecord {
            reason: "Pattern".into(),
            by: staff(),
            at: at(),
        }),
        accounts: vec![StaffAccount {
            id: uuid(),
            author: staff(),
            text: "I saw it too.".into(),
            created_at: at(),
        }],
        notified: vec![staff()],
        revisions: vec![Revision {
            revision: 2,
            edited_by: staff(),
            edited_at: at(),
            changes: vec![FieldChange {
                field: "what_happened".into(),
                before: "Left.".into(),
                after: "Left the room.".into(),
            }],
        }],
        can: IncidentActions {
            edit: true,
            delete: false,
            add_account: true,
        },
    }
}

fn plan_summary() -> PlanSummary {
    PlanSummary {
        id: "plan-1".into(),
        individual: individual(),
        title: "Smart Plan".into(),
        strategies: "Calm corner".into(),
        review_on: NaiveDate::from_ymd_opt(2026, 12, 4),
        source_incident_reference: Some("besmart-10281".into()),
        created_by: staff(),
        updated_at: at(),
    }
}

fn plan() -> Plan {
    Plan {
        id: "plan-1".into(),
        individual: individual(),
        title: "Smart Plan".into(),
        strategies: "Calm corner".into(),
        reasonable_adjustments: "Movement breaks".into(),
        agreed_responses: "Quiet word first".into(),
        follow_up: "Check in at lunch".into(),
        review_on: NaiveDate::from_ymd_opt(2026, 12, 4),
        source_incident_reference: Some("besmart-10281".into()),
        created_by: staff(),
        created_at: at(),
        updated_by: staff(),
        updated_at: at(),
        can_delete: true,
    }
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
        more_individuals: 1,
    }
}

fn notification() -> Notification {
    Notification {
        id: 1,
        kind: NotificationKind::PlanReview,
        individual: Some(individual()),
        incident_reference: Some("besmart-10281".into()),
        communication_id: Some(uuid()),
        actor: Some("Lee Lead".into()),
        due_on: NaiveDate::from_ymd_opt(2026, 12, 4),
        created_at: at(),
        read: false,
    }
}

fn uuid() -> uuid::Uuid {
    uuid::Uuid::from_u128(0x1234_5678_9abc_def0_1234_5678_9abc_def0)
}

fn staff() -> StaffRef {
    StaffRef {
        id: 3,
        name: "Tess Teacher".into(),
    }
}

fn individual_summary() -> IndividualSummary {
    IndividualSummary {
        id: 7,
        name: PupilName::new("Ann Smith"),
        year_group: "Year 9".into(),
        group_name: "9B".into(),
        last_recorded_by_me: Some(at()),
    }
}

fn individual_details() -> IndividualDetails {
    IndividualDetails {
        id: 7,
        name: PupilName::new("Ann Smith"),
        first_name: PupilName::new("Annabel"),
        last_name: PupilName::new("Smith"),
        preferred_name: PupilName::new("Ann"),
        date_of_birth: NaiveDate::from_ymd_opt(2012, 3, 4).unwrap_or_default(),
        year_group: "Year 9".into(),
        group_name: "9B".into(),
        sen_status: "SEN support".into(),
        notes: "Likes drawing.".into(),
        key_contacts: vec![KeyContact {
            name: "Jo Smith".into(),
            relationship: "Mother".into(),
            phone: "07700 900123".into(),
            email: "jo@example.com".into(),
            priority: 1,
        }],
        access: vec![AccessEntry {
            staff: staff(),
            role: Role::Staff,
            level: "record".into(),
            key_staff: true,
        }],
    }
}

fn click() -> Click {
    Click {
        id: uuid(),
        individual_id: 7,
        behaviour_id: 1,
        recorded_by: staff(),
        occurred_at: at(),
        recorded_at: at(),
    }
}

fn individual_overview() -> IndividualOverview {
    IndividualOverview {
        individual: individual(),
        incidents: vec![incident()],
        incident_total: 1,
        plans: vec![plan_summary()],
        communications: vec![Communication {
            id: uuid(),
            individual: individual(),
            author: staff(),
            tone: Tone::Positive,
            message: "Great work today.".into(),
            created_at: at(),
            recipients: vec![staff()],
            responses: vec![CommunicationResponse {
                id: uuid(),
                author: staff(),
                message: "Thanks!".into(),
                created_at: at(),
            }],
        }],
        clicks_last_30_days: vec![0, 2, 1],
        click_counts: vec![ClickCount {
            day: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default(),
            behaviour_id: 1,
            count: 2,
        }],
        recent_clicks: vec![click()],
    }
}
