//! The seeded generator of the demo data: the school calendar, people, incidents, clicks,
//! communications, plans and notifications, all drawn from a `StdRng` so a seed always gives
//! the same data.

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc, Weekday};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use super::super::auth;
use super::super::state::ServerKey;
use super::names::*;
use super::*;
use crate::wire::Role;

/// The demo teacher's own tutor group, whose pupils have the teacher as key staff.
pub const TEACHER_TUTOR_GROUP: &str = "9B";

/// How parents or carers were told of a demo incident.
const TOLD: [&str; 4] = [
    "Phone call to a parent",
    "Spoke to the carer at collection",
    "Message through the school app",
    "Phone call to the foster carer",
];

/// A UK secondary day: two periods, break, two, lunch, two.
const BELL_TIMES: [(i64, &str, i64, i64); 6] = [
    (1, "Period 1", 8 * 60 + 50, 9 * 60 + 50),
    (2, "Period 2", 9 * 60 + 50, 10 * 60 + 50),
    (3, "Period 3", 11 * 60 + 10, 12 * 60 + 10),
    (4, "Period 4", 12 * 60 + 10, 13 * 60 + 10),
    (5, "Period 5", 14 * 60, 15 * 60),
    (6, "Period 6", 15 * 60, 16 * 60),
];

fn uuid(rng: &mut StdRng) -> String {
    uuid::Builder::from_random_bytes(rng.random()).into_uuid().to_string()
}

/// A well-formed argon2id hash (OWASP parameters, random salt) whose output is random bytes
/// rather than the hash of any password: no password verifies against it, verification costs
/// a full argon2 run like any other, and start-up needs no hashing for these 56 staff.
fn unusable_hash(rng: &mut StdRng) -> String {
    let salt: [u8; 16] = rng.random();
    let output: [u8; 32] = rng.random();
    let b64 = data_encoding::BASE64_NOPAD;
    format!(
        "$argon2id$v=19$m=19456,t=2,p=1${}${}",
        b64.encode(&salt),
        b64.encode(&output)
    )
}

fn is_school_day(day: NaiveDate) -> bool {
    if matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        return false;
    }
    let (m, d) = (day.month(), day.day());
    let holiday = m == 8
        || (m == 7 && d > 22)
        || (m == 9 && d < 3)
        || (m == 12 && d > 19)
        || (m == 1 && d < 4)
        || (m == 10 && d > 24)
        || (m == 2 && (12..=18).contains(&d))
        || (m == 4 && d < 14)
        || (m == 5 && d > 25);
    !holiday
}

fn midnight(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp())
        .unwrap_or_default()
}

/// A time during the school day, weighted towards lesson peaks.
fn school_time(rng: &mut StdRng, day: NaiveDate) -> i64 {
    const PEAKS: [(i64, i64); 6] = [
        (8 * 3600 + 45 * 60, 2),
        (10 * 3600, 4),
        (11 * 3600 + 30 * 60, 3),
        (12 * 3600 + 45 * 60, 3),
        (13 * 3600 + 50 * 60, 4),
        (15 * 3600, 2),
    ];
    let total: i64 = PEAKS.iter().map(|p| p.1).sum();
    let mut pick = rng.random_range(0..total);
    let mut base = PEAKS[0].0;
    for (at, weight) in PEAKS {
        if pick < weight {
            base = at;
            break;
        }
        pick -= weight;
    }
    midnight(day) + base + rng.random_range(-1800..1800)
}

/// Generate the demo data (hashes the four demo passwords: call on a blocking thread).
pub fn generate(seed: u64, scale: u32, now: DateTime<Utc>, key: &ServerKey) -> Result<DemoData, String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let scale = scale.max(1) as usize;
    let now_ts = now.timestamp();
    let created = now_ts - 3 * 365 * 86_400;

    // Staff: the four demo accounts, then 56 who can never sign in.
    let mut users = Vec::new();
    let demo_names = [
        ("Priya Shah", "Data manager"),
        ("Daniel Okafor", "Head of Year 9 (pastoral lead)"),
        ("Sarah Whitfield", "Teacher of English"),
        ("Tom Bennett", "Teaching assistant"),
    ];
    for (i, (account, (name, title))) in ACCOUNTS.iter().zip(demo_names).enumerate() {
        let id = i as i64 + 1;
        let normalized = auth::normalize_password(account.password).ok_or("demo password too long")?;
        let hash = auth::hash_password_blocking(&normalized).map_err(|_| "cannot hash a demo password")?;
        let totp_sealed = match account.totp_secret {
            Some(secret) => {
                let bytes = data_encoding::BASE32_NOPAD
                    .decode(secret.as_bytes())
                    .map_err(|_| "a demo TOTP secret is not base32")?;
                Some(key.seal(&bytes, &auth::totp_seal_context(id)))
            }
            None => None,
        };
        let temporary = account.email.starts_with("newstarter");
        users.push(DemoUser {
            id,
            email: account.email.to_string(),
            display_name: name.to_string(),
            job_title: title,
            role: match account.role {
                Role::Admin => "admin",
                Role::Dsl => "dsl",
                Role::PastoralLead => "pastoral_lead",
                Role::Staff => "staff",
            },
            password_hash: hash,
            temporary_expires_at: temporary.then_some(now_ts + 72 * 3600),
            totp_sealed,
            created_at: created,
            kind: "staff",
            expires_at: None,
            locked: false,
            last_seen_at: None,
        });
    }
    for id in 5..=60i64 {
        let first = *FIRST_NAMES.choose(&mut rng).unwrap_or(&"Sam");
        let last = *LAST_NAMES.choose(&mut rng).unwrap_or(&"Smith");
        let (role, title) = match id {
            5 | 6 => ("pastoral_lead", "Head of Year"),
            7 => ("dsl", "Designated safeguarding lead"),
            8 => ("dsl", "Deputy DSL"),
            _ => ("staff", *JOB_TITLES.choose(&mut rng).unwrap_or(&"Teacher")),
        };
        let local: String = format!("{first}.{last}.{id}")
            .to_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
            .collect();
        users.push(DemoUser {
            id,
            email: format!("{local}@riverside.demo.test"),
            display_name: format!("{first} {last}"),
            job_title: title,
            role,
            password_hash: unusable_hash(&mut rng),
            temporary_expires_at: None,
            totp_sealed: None,
            created_at: created,
            kind: "staff",
            expires_at: None,
            // One is locked out, for an admin to unlock.
            locked: id == LOCKED_OUT,
            last_seen_at: Some(last_seen(id, now_ts)),
        });
    }
    let staff_ids: Vec<i64> = (3..=60).filter(|id| *id != 4).collect();

    // Individuals, by year group and tutor group.
    let today = now.date_naive();
    let academic_start = if today.month() >= 9 {
        today.year()
    } else {
        today.year() - 1
    };
    let mut individuals = Vec::new();
    let mut key_contacts = Vec::new();
    let mut groups: Vec<(String, Vec<i64>)> = Vec::new();
    let per_year = [100usize, 100, 100, 95, 95, 55, 55];
    for (y, count) in per_year.iter().enumerate() {
        let year = y as i32 + 7;
        let group_letters = if year <= 11 {
            ["A", "B", "C", "D"].as_slice()
        } else {
            ["A", "B"].as_slice()
        };
        for n in 0..count * scale {
            let id = individuals.len() as i64 + 1;
            let letter = group_letters[n % group_letters.len()];
            let group = format!("{year}{letter}");
            let house = HOUSES[(n / group_letters.len()) % HOUSES.len()];
            let first = *FIRST_NAMES.choose(&mut rng).unwrap_or(&"Sam");
            let last = *LAST_NAMES.choose(&mut rng).unwrap_or(&"Smith");
            let born = NaiveDate::from_ymd_opt(academic_start - year - 5, 9, 1).unwrap_or_default()
                + TimeDelta::days(rng.random_range(0..365));
            let sen = match rng.random_range(0..100) {
                0..=11 => "SEN support",
                12..=15 => "EHCP",
                _ => "",
            };
            let preferred = if rng.random_bool(0.05) {
                (*FIRST_NAMES.choose(&mut rng).unwrap_or(&"")).to_string()
            } else {
                String::new()
            };
            individuals.push(DemoIndividual {
                id,
                first_name: first.to_string(),
                last_name: last.to_string(),
                preferred_name: preferred,
                date_of_birth: born.to_string(),
                year_group: format!("Year {year}"),
                group_name: format!("{group} ({house})"),
                sen_status: sen.to_string(),
                created_at: created,
            });
            match groups.iter_mut().find(|(g, _)| *g == group) {
                Some((_, members)) => members.push(id),
                None => groups.push((group, vec![id])),
            }
            let contacts = if rng.random_bool(0.6) { 2 } else { 1 };
            for priority in 1..=contacts {
                let relationship = *["Mum", "Dad", "Carer", "Grandparent", "Aunt"]
                    .choose(&mut rng)
                    .unwrap_or(&"Carer");
                let contact_first = *FIRST_NAMES.choose(&mut rng).unwrap_or(&"Sam");
                key_contacts.push(DemoContact {
                    individual_id: id,
                    name: format!("{contact_first} {last}"),
                    relationship,
                    phone: format!("07700 900{:03}", rng.random_range(0..1000)),
                    email: format!("{}.{}@example.com", contact_first.to_lowercase(), id),
                    priority,
                });
            }
        }
    }

    // Access: the teacher sees 8B, 9B and 10C; the new starter 7A; other staff two groups each.
    let mut access = Vec::new();
    let grant = |user_id: i64, group: &str, level: &'static str, access: &mut Vec<DemoAccess>| {
        if let Some((_, members)) = groups.iter().find(|(g, _)| g == group) {
            for individual_id in members {
                access.push(DemoAccess {
                    user_id,
                    individual_id: *individual_id,
                    level,
                    granted_by: Some(1),
                    granted_at: created,
                });
            }
        }
    };
    for group in ["8B", "9B", "10C"] {
        grant(3, group, "record", &mut access);
    }
    grant(4, "7A", "view", &mut access);
    let group_names: Vec<String> = groups.iter().map(|(g, _)| g.clone()).collect();
    for user_id in 9..=60 {
        let mut mine: Vec<&String> = group_names.choose_multiple(&mut rng, 2).collect();
        mine.dedup();
        for group in mine {
            grant(user_id, group, "record", &mut access);
        }
    }
    let teacher_sees: Vec<i64> = access
        .iter()
        .filter(|a| a.user_id == 3)
        .map(|a| a.individual_id)
        .collect();

    // Key staff: each tutor group's tutor (the first member of staff granted it), the teacher
    // for their own tutor group 9B, and the pastoral lead for Year 9.
    let mut key_staff = Vec::new();
    for (group, members) in &groups {
        let tutor = access
            .iter()
            .filter(|a| a.user_id >= 9 && members.contains(&a.individual_id))
            .map(|a| a.user_id)
            .min();
        let extra = [
            (group == TEACHER_TUTOR_GROUP).then_some(3),
            group.starts_with('9').then_some(2),
        ];
        for user_id in tutor.into_iter().chain(extra.into_iter().flatten()) {
            key_staff.extend(members.iter().map(|individual_id| (*individual_id, user_id)));
        }
    }
    let teacher_key: Vec<i64> = key_staff
        .iter()
        .filter(|(_, user)| *user == 3)
        .map(|(individual, _)| *individual)
        .collect();

    let locations: Vec<(i64, &'static str)> = LOCATIONS.iter().enumerate().map(|(i, n)| (i as i64 + 1, *n)).collect();
    let behaviours: Vec<DemoBehaviour> = BEHAVIOURS
        .iter()
        .enumerate()
        .map(|(i, (name, sentiment))| DemoBehaviour {
            id: i as i64 + 1,
            name,
            sentiment,
            position: i as i64 + 1,
        })
        .collect();
    let categories: Vec<(i64, &'static str)> = CATEGORIES.iter().enumerate().map(|(i, n)| (i as i64 + 1, *n)).collect();

    // Two school years of days, up to now.
    let first_day = today - TimeDelta::days(730);
    let days: Vec<NaiveDate> = first_day
        .iter_days()
        .take_while(|d| *d <= today)
        .filter(|d| {
            is_school_day(*d)
                || (*d > today - TimeDelta::days(7) && !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        })
        .collect();

    let mut incidents = Vec::new();
    let mut incident_individuals = Vec::new();
    let mut incident_staff = Vec::new();
    let mut notifications = Vec::new();
    let recent = now_ts - 60 * 86_400;
    let name_of = |id: i64, individuals: &[DemoIndividual]| {
        individuals
            .get(id as usize - 1)
            .map(|p| format!("{} {}", p.first_name, p.last_name))
            .unwrap_or_default()
    };
    for day in &days {
        let last_week = *day > today - TimeDelta::days(7);
        let count = rng.random_range(1..=4usize) * scale;
        for k in 0..count {
            let occurred_at = school_time(&mut rng, *day).min(now_ts - 60);
            if occurred_at < midnight(*day) {
                continue;
            }
            let individual_id = if last_week && k == 0 && !teacher_sees.is_empty() {
                *teacher_sees.choose(&mut rng).unwrap_or(&1)
            } else {
                rng.random_range(1..=individuals.len() as i64)
            };
            let physical = rng.random_bool(0.1);
            let category_id = rng.random_range(1..=categories.len() as i64);
            let reported_by = *staff_ids.choose(&mut rng).unwrap_or(&3);
            let first = individuals[individual_id as usize - 1].first_name.clone();
            let what_happened = format!(
                "{first} {} during {} in the {}. Staff spoke calmly with {first} and gave take-up time.",
                ACTIONS.choose(&mut rng).unwrap_or(&""),
                PERIODS.choose(&mut rng).unwrap_or(&""),
                LOCATIONS.choose(&mut rng).unwrap_or(&"").to_lowercase(),
            );
            let id = uuid(&mut rng);
            let number = FIRST_INCIDENT_NUMBER + incidents.len() as i64;
            let parents_informed = rng
                .random_bool(0.7)
                .then(|| ((occurred_at + rng.random_range(1800..20_000)).min(now_ts), reported_by));
            let flag_reason = rng
                .random_bool(0.08)
                .then(|| *FLAG_REASONS.choose(&mut rng).unwrap_or(&""));
            let discriminatory =
                (category_id == 8 || rng.random_bool(0.04)).then(|| *DISCRIMINATORY.choose(&mut rng).unwrap_or(&""));
            incidents.push(DemoIncident {
                id: id.clone(),
                number,
                kind: if physical { "physical_intervention" } else { "incident" },
                individual_id,
                category_id,
                location_id: rng.random_range(1..=locations.len() as i64),
                occurred_at,
                reported_by,
                what_happened,
                injury_details: (physical && rng.random_bool(0.3) || rng.random_bool(0.03))
                    .then(|| *INJURIES.choose(&mut rng).unwrap_or(&"")),
                pild: [
                    PERSPECTIVES.choose(&mut rng).unwrap_or(&""),
                    FEELINGS.choose(&mut rng).unwrap_or(&""),
                    NEXT_TIMES.choose(&mut rng).unwrap_or(&""),
                    TRIGGERS.choose(&mut rng).unwrap_or(&""),
                    ADJUSTMENTS.choose(&mut rng).unwrap_or(&""),
                    OTHER_COMMENTS.choose(&mut rng).unwrap_or(&""),
                ],
                discriminatory_details: discriminatory,
                exclusion: match rng.random_range(0..100) {
                    0..=3 => "suspension",
                    4 if physical => "permanent_exclusion",
                    _ => "none",
                },
                physical: physical.then(|| PHYSICAL.choose(&mut rng).cloned()).flatten(),
                parents_informed,
                flag_reason,
                retain_until: occurred_at + 75 * 365 * 86_400,
                created_at: (occurred_at + 3600).min(now_ts),
                parents_told_how: if parents_informed.is_some() {
                    TOLD.choose(&mut rng).unwrap_or(&"Phone call")
                } else {
                    ""
                },
            });
            if rng.random_bool(0.15) {
                let other = rng.random_range(1..=individuals.len() as i64);
                if other != individual_id {
                    incident_individuals.push((id.clone(), other));
                }
            }
            let how_many = rng.random_range(0..=2);
            let mut present: Vec<i64> = staff_ids.choose_multiple(&mut rng, how_many).copied().collect();
            if rng.random_bool(0.12) {
                present.push(2);
            }
            if teacher_sees.contains(&individual_id) && rng.random_bool(0.5) {
                present.push(3);
            }
            present.sort_unstable();
            present.dedup();
            present.retain(|u| *u != reported_by);
            let about_incident =
                |user_id: i64, kind: &'static str, created_at: i64, read_at: Option<i64>| DemoNotification {
                    user_id,
                    kind,
                    individual_id: Some(individual_id),
                    actor_id: Some(reported_by),
                    incident_id: Some(id.clone()),
                    communication_id: None,
                    plan_id: None,
                    created_at,
                    read_at,
                };
            for user_id in present {
                incident_staff.push((id.clone(), user_id));
                if occurred_at > recent {
                    let read_at = (occurred_at < now_ts - 14 * 86_400).then_some(occurred_at + 7200);
                    notifications.push(about_incident(
                        user_id,
                        "collaboration_invite",
                        (occurred_at + 3600).min(now_ts - 60),
                        read_at,
                    ));
                }
            }
            if flag_reason.is_some() && occurred_at > recent {
                notifications.push(about_incident(
                    2,
                    "incident_flagged",
                    (occurred_at + 5400).min(now_ts - 60),
                    None,
                ));
            }
        }
    }

    // Clicks: busier on Mondays and Fridays, peaks through the day.
    let mut clicks = Vec::new();
    for day in &days {
        let factor = match day.weekday() {
            Weekday::Mon => 12,
            Weekday::Fri => 13,
            Weekday::Wed => 8,
            _ => 10,
        };
        let count = rng.random_range(20..40usize) * factor / 10 * scale;
        for _ in 0..count {
            let occurred_at = school_time(&mut rng, *day);
            if occurred_at > now_ts {
                continue;
            }
            let individual_id = rng.random_range(1..=individuals.len() as i64);
            let behaviour_id = if rng.random_bool(0.55) {
                rng.random_range(1..=8)
            } else {
                rng.random_range(9..=20)
            };
            clicks.push(DemoClick {
                id: uuid(&mut rng),
                individual_id,
                behaviour_id,
                user_id: *staff_ids.choose(&mut rng).unwrap_or(&3),
                occurred_at,
            });
        }
    }

    // Communications with responses.
    let mut communications = Vec::new();
    for day in days.iter().step_by(2) {
        for _ in 0..scale {
            let created_at = school_time(&mut rng, *day).min(now_ts - 60);
            let sentiment = *["positive", "negative", "na"].choose(&mut rng).unwrap_or(&"na");
            let text = match sentiment {
                "positive" => COMM_POSITIVE.choose(&mut rng),
                "negative" => COMM_NEGATIVE.choose(&mut rng),
                _ => COMM_NA.choose(&mut rng),
            };
            // One in six is about a pupil of the teacher's tutor group, so the teacher has some
            // to read; the recipients are the key staff, and now and then (one in twenty) the
            // teacher was copied in on a pupil they may not see (the server must hide those).
            let individual_id = match rng.random_bool(1.0 / 6.0) {
                true => *teacher_key.choose(&mut rng).unwrap_or(&1),
                false => rng.random_range(1..=individuals.len() as i64),
            };
            let author_id = *staff_ids.choose(&mut rng).unwrap_or(&3);
            let mut recipients: Vec<i64> = key_staff
                .iter()
                .filter(|(individual, _)| *individual == individual_id)
                .map(|(_, user)| *user)
                .collect();
            if rng.random_bool(0.05) {
                recipients.push(3);
            }
            recipients.sort_unstable();
            recipients.dedup();
            recipients.retain(|u| *u != author_id);
            let id = uuid(&mut rng);
            let mut responses = Vec::new();
            if rng.random_bool(0.5)
                && let Some(responder) = recipients.first()
            {
                responses.push(DemoResponse {
                    id: uuid(&mut rng),
                    author_id: *responder,
                    message: RESPONSES.choose(&mut rng).unwrap_or(&""),
                    created_at: (created_at + rng.random_range(600..86_400)).min(now_ts),
                });
            }
            if created_at > recent {
                for user_id in &recipients {
                    notifications.push(DemoNotification {
                        user_id: *user_id,
                        kind: "communication",
                        individual_id: Some(individual_id),
                        actor_id: Some(author_id),
                        incident_id: None,
                        communication_id: Some(id.clone()),
                        plan_id: None,
                        created_at,
                        read_at: None,
                    });
                }
            }
            communications.push(DemoCommunication {
                id,
                individual_id,
                author_id,
                sentiment,
                message: text.unwrap_or(&"").to_string(),
                created_at,
                recipients,
                responses,
            });
        }
    }

    // Smart Plans from some incidents.
    let mut plans = Vec::new();
    let plan_sources: Vec<&DemoIncident> = incidents
        .choose_multiple(&mut rng, (80 * scale).min(incidents.len()))
        .collect();
    for source in plan_sources {
        let created_at = source.occurred_at + 86_400;
        if created_at > now_ts {
            continue;
        }
        let review = DateTime::from_timestamp(created_at + rng.random_range(28..120) * 86_400, 0)
            .unwrap_or(now)
            .date_naive();
        // Whatever the seed, the first plan is due for review within the week, so the lead
        // always has a review reminder to see.
        let review = if plans.is_empty() {
            today + TimeDelta::days(7)
        } else {
            review
        };
        let pupil = name_of(source.individual_id, &individuals);
        let id = uuid(&mut rng);
        if review >= today && review <= today + TimeDelta::days(14) {
            notifications.push(DemoNotification {
                user_id: 2,
                kind: "plan_review",
                individual_id: Some(source.individual_id),
                actor_id: None,
                incident_id: None,
                communication_id: None,
                plan_id: Some(id.clone()),
                created_at: now_ts - rng.random_range(3600..86_400),
                read_at: None,
            });
        }
        plans.push(DemoPlan {
            id,
            individual_id: source.individual_id,
            title: format!("Smart Plan for {pupil}"),
            strategies: STRATEGIES.choose(&mut rng).unwrap_or(&""),
            adjustments: ADJUSTMENTS.choose(&mut rng).unwrap_or(&""),
            agreed_responses: AGREED.choose(&mut rng).unwrap_or(&""),
            follow_up: FOLLOW_UP.choose(&mut rng).unwrap_or(&""),
            source_incident_id: Some(source.id.clone()),
            review_on: review.to_string(),
            created_by: 2,
            created_at,
        });
    }

    // A supply teacher covering 9A today only (policy 8.22), made last, so that the data above
    // stays as it was for every seed.
    let cover = SUPPLY_COVER;
    users.push(DemoUser {
        id: cover,
        email: "supply.cover@riverside.demo.test".to_string(),
        display_name: "Morgan Reid".to_string(),
        job_title: "Supply teacher (agency)",
        role: "staff",
        password_hash: unusable_hash(&mut rng),
        temporary_expires_at: None,
        totp_sealed: None,
        created_at: now_ts - 3600,
        kind: "supply",
        expires_at: Some(super::super::clock::end_of_today(now_ts)),
        locked: false,
        last_seen_at: None,
    });
    let access_groups = vec![(cover, "group", "9A".to_string(), now_ts - 3600)];

    Ok(DemoData {
        setting: DemoSetting {
            id: format!("demo-riverside-{seed}"),
            name: SETTING_NAME.to_string(),
            incident_prefix: INCIDENT_PREFIX.to_string(),
            next_incident_number: FIRST_INCIDENT_NUMBER + incidents.len() as i64,
            require_2fa_for_all: false,
            support_email: "support@bsmart.example".to_string(),
            support_phone: "0800 000 0000".to_string(),
            support_url: "https://help.bsmart.example".to_string(),
        },
        users,
        individuals,
        key_contacts,
        access,
        locations,
        behaviours,
        categories,
        incidents,
        incident_individuals,
        incident_staff,
        clicks,
        communications,
        plans,
        notifications,
        bell_times: BELL_TIMES.to_vec(),
        key_staff,
        access_groups,
    })
}

/// The generated member of staff who is locked out.
const LOCKED_OUT: i64 = 59;
/// The supply cover account.
const SUPPLY_COVER: i64 = 61;

/// When generated member of staff `id` was last seen: within the last three weeks, except one
/// in nine, who last signed in four months ago or more (the Staff screen's "inactive 90 days").
fn last_seen(id: i64, now: i64) -> i64 {
    let days = match id % 9 {
        0 => 120 + id,
        _ => 1 + (id * 7) % 20,
    };
    now - days * 86_400 - (id * 1_931) % 30_000
}
