//! Deterministic demo data: a realistic (entirely fictional) secondary school, generated from a
//! seed with a seeded PRNG (`StdRng`), so the same seed always gives the same data.
//!
//! "Riverside Academy (demo)": about 600 individuals in years 7 to 13 with tutor groups and
//! houses, 60 staff (the four demo accounts of [`ACCOUNTS`] plus 56 whose password can never
//! verify, so start-up hashes only four passwords), 10 locations, 20 clicker behaviours,
//! incident categories, two school years of incidents up to now (PILD text, about 10 % physical
//! interventions, injuries, discriminatory flags, parents informed, flags, several in the last
//! week), staff invited to collaborate, access permissions (the teacher sees three tutor
//! groups), key staff (each tutor group's tutor, the teacher for 9B, the pastoral lead for Year
//! 9), six bell periods, clicker events with daily and weekly rhythms, communications to key
//! staff with responses, Smart Plans and notifications. `scale` multiplies individuals, incidents, clicks and
//! communications. Everything is inserted in one transaction ([`Store::seed_demo`]).
//!
//! Layout: this module holds the accounts and the data types; [`names`] the word tables and
//! [`generate`](mod@generate) the generator.

mod generate;
mod names;

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::state::ServerKey;
use super::store::Store;
use crate::wire::Role;

/// A demo account, printed by `bsmart demo` and listed in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoAccount {
    /// Email.
    pub email: &'static str,
    /// Password (demo only).
    pub password: &'static str,
    /// Role.
    pub role: Role,
    /// Base32 TOTP secret, when 2FA is enrolled.
    pub totp_secret: Option<&'static str>,
    /// How it signs in, as the demo's sign-in screen says it.
    pub note: &'static str,
}

/// The four demo accounts.
pub const ACCOUNTS: [DemoAccount; 4] = [
    DemoAccount {
        email: "admin@demo.test",
        password: "demo-admin-passphrase",
        role: Role::Admin,
        totp_secret: Some("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
        note: "2FA: the code is shown",
    },
    DemoAccount {
        email: "lead@demo.test",
        password: "demo-lead-passphrase",
        role: Role::PastoralLead,
        totp_secret: Some("KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"),
        note: "2FA: the code is shown",
    },
    DemoAccount {
        email: "teacher@demo.test",
        password: "demo-teacher-passphrase",
        role: Role::Staff,
        totp_secret: None,
        note: "no 2FA yet",
    },
    DemoAccount {
        email: "newstarter@demo.test",
        password: "demo-temporary-pass",
        role: Role::Staff,
        totp_secret: None,
        note: "temporary password",
    },
];

/// The demo setting's name.
pub const SETTING_NAME: &str = "Riverside Academy (demo)";
/// The demo setting's incident prefix.
pub const INCIDENT_PREFIX: &str = "besmart";
/// The first incident number.
pub const FIRST_INCIDENT_NUMBER: i64 = 10_000;

/// The setting row.
#[derive(Debug, Clone)]
pub struct DemoSetting {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Prefix.
    pub incident_prefix: String,
    /// Next number.
    pub next_incident_number: i64,
    /// 2FA for everyone.
    pub require_2fa_for_all: bool,
    /// Support email.
    pub support_email: String,
    /// Support phone.
    pub support_phone: String,
    /// Support URL.
    pub support_url: String,
}

/// A staff member.
#[derive(Debug, Clone)]
pub struct DemoUser {
    /// Id.
    pub id: i64,
    /// Email.
    pub email: String,
    /// Name.
    pub display_name: String,
    /// Job title.
    pub job_title: &'static str,
    /// Role as stored.
    pub role: &'static str,
    /// argon2id hash, or a marker that never verifies.
    pub password_hash: String,
    /// Temporary password expiry.
    pub temporary_expires_at: Option<i64>,
    /// Sealed TOTP secret.
    pub totp_sealed: Option<Vec<u8>>,
    /// Created.
    pub created_at: i64,
    /// `staff`, or `supply` / `visitor` cover.
    pub kind: &'static str,
    /// When a cover account stops working.
    pub expires_at: Option<i64>,
    /// Locked out by six failed sign-ins (for an admin to unlock).
    pub locked: bool,
    /// The last request of the account's last (signed-out) session, if it ever signed in.
    pub last_seen_at: Option<i64>,
}

/// A pupil.
#[derive(Debug, Clone)]
pub struct DemoIndividual {
    /// Id.
    pub id: i64,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Preferred name.
    pub preferred_name: String,
    /// ISO date of birth.
    pub date_of_birth: String,
    /// e.g. "Year 9".
    pub year_group: String,
    /// Tutor group and house.
    pub group_name: String,
    /// SEN status.
    pub sen_status: String,
    /// Created.
    pub created_at: i64,
}

/// A key contact.
#[derive(Debug, Clone)]
pub struct DemoContact {
    /// Individual.
    pub individual_id: i64,
    /// Name.
    pub name: String,
    /// Relationship.
    pub relationship: &'static str,
    /// Phone (Ofcom drama range).
    pub phone: String,
    /// Email (example.com).
    pub email: String,
    /// Order.
    pub priority: i64,
}

/// An access permission.
#[derive(Debug, Clone)]
pub struct DemoAccess {
    /// Staff member.
    pub user_id: i64,
    /// Individual.
    pub individual_id: i64,
    /// Level.
    pub level: &'static str,
    /// Granted by.
    pub granted_by: Option<i64>,
    /// When.
    pub granted_at: i64,
}

/// A clicker behaviour.
#[derive(Debug, Clone)]
pub struct DemoBehaviour {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: &'static str,
    /// Sentiment.
    pub sentiment: &'static str,
    /// Position.
    pub position: i64,
}

/// Physical intervention fields.
#[derive(Debug, Clone)]
pub struct DemoPhysical {
    /// Low-level behaviours.
    pub low: &'static str,
    /// Medium-level behaviours.
    pub medium: &'static str,
    /// High-level behaviours.
    pub high: &'static str,
    /// How staff responded.
    pub staff_response: &'static str,
    /// Alternative responses.
    pub alternatives: &'static str,
    /// 1-5.
    pub deescalation_effect: i64,
    /// 1-5.
    pub physical_effect: i64,
}

/// An incident report.
#[derive(Debug, Clone)]
pub struct DemoIncident {
    /// UUID.
    pub id: String,
    /// Number.
    pub number: i64,
    /// Kind as stored.
    pub kind: &'static str,
    /// Individual.
    pub individual_id: i64,
    /// Category.
    pub category_id: i64,
    /// Location.
    pub location_id: i64,
    /// When.
    pub occurred_at: i64,
    /// Reporter.
    pub reported_by: i64,
    /// What happened.
    pub what_happened: String,
    /// Injury details, if injured.
    pub injury_details: Option<&'static str>,
    /// Perspective, feelings, next time, triggers, adjustments, other comments.
    pub pild: [&'static str; 6],
    /// Discriminatory details, if discriminatory.
    pub discriminatory_details: Option<&'static str>,
    /// Exclusion.
    pub exclusion: &'static str,
    /// Physical intervention.
    pub physical: Option<DemoPhysical>,
    /// Parents informed (when, by).
    pub parents_informed: Option<(i64, i64)>,
    /// Flag reason, if flagged.
    pub flag_reason: Option<&'static str>,
    /// Retention.
    pub retain_until: i64,
    /// When it was submitted (an hour after it happened, never after the demo's "now").
    pub created_at: i64,
    /// How parents or carers were told, when they were.
    pub parents_told_how: &'static str,
}

/// A clicker event.
#[derive(Debug, Clone)]
pub struct DemoClick {
    /// UUID.
    pub id: String,
    /// Individual.
    pub individual_id: i64,
    /// Behaviour.
    pub behaviour_id: i64,
    /// Staff member.
    pub user_id: i64,
    /// When.
    pub occurred_at: i64,
}

/// A response to a communication.
#[derive(Debug, Clone)]
pub struct DemoResponse {
    /// UUID.
    pub id: String,
    /// Author.
    pub author_id: i64,
    /// Text.
    pub message: &'static str,
    /// When.
    pub created_at: i64,
}

/// A behaviour communication.
#[derive(Debug, Clone)]
pub struct DemoCommunication {
    /// UUID.
    pub id: String,
    /// Individual.
    pub individual_id: i64,
    /// Author.
    pub author_id: i64,
    /// Sentiment.
    pub sentiment: &'static str,
    /// Text.
    pub message: String,
    /// When.
    pub created_at: i64,
    /// Addressed to.
    pub recipients: Vec<i64>,
    /// Responses.
    pub responses: Vec<DemoResponse>,
}

/// A Smart Plan.
#[derive(Debug, Clone)]
pub struct DemoPlan {
    /// UUID.
    pub id: String,
    /// Individual.
    pub individual_id: i64,
    /// Title.
    pub title: String,
    /// Strategies.
    pub strategies: &'static str,
    /// Reasonable adjustments.
    pub adjustments: &'static str,
    /// Agreed responses.
    pub agreed_responses: &'static str,
    /// Follow-up.
    pub follow_up: &'static str,
    /// Source incident.
    pub source_incident_id: Option<String>,
    /// Review date (ISO).
    pub review_on: String,
    /// Author.
    pub created_by: i64,
    /// When.
    pub created_at: i64,
}

/// A notification: references only, no text (the reader's access decides what is shown).
#[derive(Debug, Clone)]
pub struct DemoNotification {
    /// Recipient.
    pub user_id: i64,
    /// Kind as stored.
    pub kind: &'static str,
    /// The individual it concerns.
    pub individual_id: Option<i64>,
    /// The staff member whose action raised it.
    pub actor_id: Option<i64>,
    /// Incident.
    pub incident_id: Option<String>,
    /// Communication.
    pub communication_id: Option<String>,
    /// Smart Plan.
    pub plan_id: Option<String>,
    /// When.
    pub created_at: i64,
    /// Read.
    pub read_at: Option<i64>,
}

/// Everything the demo inserts.
#[derive(Debug, Clone)]
pub struct DemoData {
    /// Setting.
    pub setting: DemoSetting,
    /// Staff.
    pub users: Vec<DemoUser>,
    /// Pupils.
    pub individuals: Vec<DemoIndividual>,
    /// Key contacts.
    pub key_contacts: Vec<DemoContact>,
    /// Access permissions.
    pub access: Vec<DemoAccess>,
    /// Locations.
    pub locations: Vec<(i64, &'static str)>,
    /// Behaviours.
    pub behaviours: Vec<DemoBehaviour>,
    /// Categories.
    pub categories: Vec<(i64, &'static str)>,
    /// Incidents.
    pub incidents: Vec<DemoIncident>,
    /// Other individuals involved.
    pub incident_individuals: Vec<(String, i64)>,
    /// Staff present.
    pub incident_staff: Vec<(String, i64)>,
    /// Clicks.
    pub clicks: Vec<DemoClick>,
    /// Communications.
    pub communications: Vec<DemoCommunication>,
    /// Plans.
    pub plans: Vec<DemoPlan>,
    /// Notifications.
    pub notifications: Vec<DemoNotification>,
    /// Bell times: (number, name, starts, ends), minutes after local midnight.
    pub bell_times: Vec<(i64, &'static str, i64, i64)>,
    /// Key staff: (individual, member of staff).
    pub key_staff: Vec<(i64, i64)>,
    /// Access by group: (user, scope `group` or `year`, name, granted at).
    pub access_groups: Vec<(i64, &'static str, String, i64)>,
}

pub use generate::generate;

/// The techniques a physical intervention rates, (list, name), in the order the form shows them.
pub const TECHNIQUES: [(&str, &str); 13] = [
    ("deescalation", "Calm, low voice"),
    ("deescalation", "Offering choices"),
    ("deescalation", "Giving space and time"),
    ("deescalation", "Distraction"),
    ("deescalation", "Humour"),
    ("deescalation", "Change of face"),
    ("deescalation", "Moving others away"),
    ("physical", "Guide (one person)"),
    ("physical", "Friendly hold"),
    ("physical", "Single elbow"),
    ("physical", "Figure of four"),
    ("physical", "Double elbow"),
    ("physical", "Half shield"),
];

/// Generate and insert the demo data into an empty database; answers how long it took.
pub async fn seed(
    store: &Store,
    seed: u64,
    scale: u32,
    now: DateTime<Utc>,
    key: &ServerKey,
) -> Result<Duration, String> {
    let started = Instant::now();
    let key = key.clone();
    let data = tokio::task::spawn_blocking(move || generate(seed, scale, now, &key))
        .await
        .map_err(|_| "demo data generation failed".to_string())??;
    let generated = started.elapsed();
    store
        .seed_demo(&data)
        .await
        .map_err(|e| format!("cannot insert the demo data: {e}"))?;
    tracing::debug!(
        generate_ms = generated.as_millis() as u64,
        insert_ms = (started.elapsed() - generated).as_millis() as u64,
        individuals = data.individuals.len(),
        incidents = data.incidents.len(),
        clicks = data.clicks.len(),
        communications = data.communications.len(),
        notifications = data.notifications.len(),
        "demo data seeded"
    );
    Ok(started.elapsed())
}

#[cfg(test)]
mod tests {
    use super::super::auth;
    use super::*;

    #[test]
    fn same_seed_same_data_and_realistic_sizes() {
        let now = DateTime::from_timestamp(1_795_000_000, 0).unwrap();
        let key = ServerKey::generate();
        let a = generate(7, 1, now, &key).unwrap();
        let b = generate(7, 1, now, &key).unwrap();
        assert_eq!(
            a.incidents.iter().map(|i| &i.id).collect::<Vec<_>>(),
            b.incidents.iter().map(|i| &i.id).collect::<Vec<_>>()
        );
        assert_eq!(a.individuals.len(), 600);
        assert_eq!(a.users.len(), 61, "60 staff and one supply cover account");
        assert_eq!(a.users.iter().filter(|u| u.locked).count(), 1);
        assert_eq!(a.locations.len(), 10);
        assert_eq!(a.behaviours.len(), 20);
        assert!(a.incidents.len() > 500, "{}", a.incidents.len());
        let physical = a.incidents.iter().filter(|i| i.physical.is_some()).count() as f64 / a.incidents.len() as f64;
        assert!((0.05..0.15).contains(&physical), "{physical}");
        let week_ago = now.timestamp() - 7 * 86_400;
        let teacher: Vec<i64> = a
            .access
            .iter()
            .filter(|x| x.user_id == 3)
            .map(|x| x.individual_id)
            .collect();
        assert!(
            a.incidents
                .iter()
                .filter(|i| i.occurred_at > week_ago && teacher.contains(&i.individual_id))
                .count()
                >= 3
        );
        assert!(a.incidents.iter().all(|i| i.occurred_at <= now.timestamp()));
        assert!(
            a.notifications
                .iter()
                .any(|n| n.user_id == 3 && n.kind == "collaboration_invite")
        );
        assert!(
            a.users
                .iter()
                .all(|u| u.password_hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"))
        );
        let staff_hash = &a.users[10].password_hash;
        assert!(!auth::verify_password_blocking(Some(staff_hash), ""));
        assert!(argon2::password_hash::phc::PasswordHash::new(staff_hash).is_ok());
        let c = generate(8, 1, now, &key).unwrap();
        assert_ne!(a.incidents[0].id, c.incidents[0].id);
    }
}
