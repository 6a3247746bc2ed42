//! What the incident routes share: checking a submitted report field by field (lengths in
//! characters, control characters, times, lists, rules between fields) into the store's
//! [`IncidentInput`], the wire form of a stored incident, the fields an edit compares (as the
//! view shows them), references (`<prefix>-<number>`) and UK dates.

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc, Weekday};
use sha2::{Digest, Sha256};

use super::super::error::ApiError;
use super::super::permissions::permissions;
use super::super::store::{DisplayNames, IncidentDetail, IncidentInput, PhysicalInput, UserRow};
use super::common::{staff, stored_uuid, timestamp};
use super::communications::control_name;
use crate::wire::{
    Exclusion, FieldChange, FlagRecord, Incident, IncidentActions, IncidentKind, IndividualRef, Injury, LONG_TEXT_MAX,
    ListItem, MAX_INDIVIDUALS, MAX_STAFF_PRESENT, NewIncident, ParentsInformedRecord, PhysicalRecord, Pild, PupilName,
    Revision, SHORT_TEXT_MAX, StaffAccount, TechniqueUse,
};

/// Clock grace for times "not in the future".
pub(super) const GRACE: i64 = 120;
/// How far back a report may be dated.
const OLDEST: i64 = 366 * 86_400;
/// Longest physical intervention.
const LONGEST_HOLD: i64 = 24 * 3600;
/// How long a report is kept.
pub(super) const RETAIN: i64 = 75 * 365 * 86_400 + 18 * 86_400;

/// 422 with `message`.
fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::invalid_request(message)
}

/// `text` of `field` checked: at most `max` characters, no control character but `\n` and
/// `\t`, and (when `required`) not blank. Answers it as given.
pub(super) fn text(field: &str, text: &str, required: bool, max: usize) -> Result<String, ApiError> {
    if required && text.trim().is_empty() {
        return Err(invalid(format!("`{field}` is empty: it is required.")));
    }
    let chars = text.chars().count();
    if chars > max {
        return Err(invalid(format!(
            "`{field}` is {chars} characters long; it may be at most {max}."
        )));
    }
    if let Some((at, c)) = text
        .chars()
        .enumerate()
        .find(|(_, c)| c.is_control() && !matches!(c, '\n' | '\t'))
    {
        return Err(invalid(format!(
            "`{field}` holds the control character U+{:04X} ({}) at character {}; only new lines and tabs may \
             be used.",
            c as u32,
            control_name(c),
            at + 1
        )));
    }
    Ok(text.to_string())
}

/// A time not in the future (the grace allowed) and not before `earliest`.
fn time(field: &str, at: DateTime<Utc>, now: i64, earliest: i64, earliest_what: &str) -> Result<i64, ApiError> {
    let at = at.timestamp();
    if at > now + GRACE {
        return Err(invalid(format!("`{field}` is in the future.")));
    }
    if at < earliest {
        return Err(invalid(format!("`{field}` is {earliest_what}.")));
    }
    Ok(at)
}

/// Distinct ids of `field`, at most `max`.
fn ids(field: &str, ids: &[i64], min: usize, max: usize) -> Result<Vec<i64>, ApiError> {
    if ids.len() < min || ids.len() > max {
        return Err(invalid(format!("`{field}` must list {min} to {max} ids.")));
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(id) = ids.iter().find(|id| !seen.insert(**id)) {
        return Err(invalid(format!("`{field}` lists {id} twice.")));
    }
    Ok(ids.to_vec())
}

/// The stored kind of `kind`.
pub(super) fn stored_kind(kind: IncidentKind) -> &'static str {
    match kind {
        IncidentKind::Incident => "incident",
        IncidentKind::PhysicalIntervention => "physical_intervention",
    }
}

/// The wire kind of a stored one.
pub(super) fn wire_kind(stored: &str) -> IncidentKind {
    if stored == "physical_intervention" {
        IncidentKind::PhysicalIntervention
    } else {
        IncidentKind::Incident
    }
}

/// The stored form of an exclusion.
fn stored_exclusion(exclusion: Exclusion) -> &'static str {
    match exclusion {
        Exclusion::None => "none",
        Exclusion::Suspension => "suspension",
        Exclusion::PermanentExclusion => "permanent_exclusion",
    }
}

/// The wire form of a stored exclusion.
fn wire_exclusion(stored: &str) -> Exclusion {
    match stored {
        "suspension" => Exclusion::Suspension,
        "permanent_exclusion" => Exclusion::PermanentExclusion,
        _ => Exclusion::None,
    }
}

/// Parents informed (`at`, `how`) checked against the incident's time.
pub(super) fn parents_informed(
    at: DateTime<Utc>,
    how: &str,
    occurred_at: i64,
    now: i64,
) -> Result<(i64, String), ApiError> {
    let at = time(
        "parents_informed.at",
        at,
        now,
        occurred_at,
        "before the incident happened",
    )?;
    let how = text("parents_informed.how", how, true, SHORT_TEXT_MAX)?;
    Ok((at, how))
}

/// Check every field of `new` (what needs no database) into the store's input.
pub(super) fn check_report(new: &NewIncident, now: i64) -> Result<IncidentInput, ApiError> {
    let subjects = ids("individual_ids", &new.individual_ids, 1, MAX_INDIVIDUALS)?;
    let others = ids("others_involved_ids", &new.others_involved_ids, 0, MAX_INDIVIDUALS)?;
    if let Some(id) = others.iter().find(|id| subjects.contains(id)) {
        return Err(invalid(format!(
            "`others_involved_ids` lists {id}, who is one of `individual_ids`: list each individual once."
        )));
    }
    let staff_ids = ids("staff_present_ids", &new.staff_present_ids, 0, MAX_STAFF_PRESENT)?;
    let occurred_at = time(
        "occurred_at",
        new.occurred_at,
        now,
        now - OLDEST,
        "more than a year ago",
    )?;
    let what_happened = text("what_happened", &new.what_happened, true, LONG_TEXT_MAX)?;
    let injury_details = text(
        "injury.details",
        &new.injury.details,
        new.injury.occurred,
        LONG_TEXT_MAX,
    )?;
    if !new.injury.occurred && !injury_details.is_empty() {
        return Err(invalid(
            "`injury.details` is given but `injury.occurred` is false: clear the details or say an injury occurred.",
        ));
    }
    let p = &new.pild;
    let pild = [
        text("pild.perspective", &p.perspective, false, LONG_TEXT_MAX)?,
        text("pild.feelings", &p.feelings, false, LONG_TEXT_MAX)?,
        text("pild.next_time", &p.next_time, false, LONG_TEXT_MAX)?,
        text("pild.triggers", &p.triggers, false, LONG_TEXT_MAX)?,
        text("pild.adjustments", &p.adjustments, false, LONG_TEXT_MAX)?,
        text("pild.comments", &p.comments, false, LONG_TEXT_MAX)?,
    ];
    let discriminatory_details = text(
        "pild.discriminatory_details",
        &p.discriminatory_details,
        p.discriminatory,
        SHORT_TEXT_MAX,
    )?;
    if !p.discriminatory && !discriminatory_details.is_empty() {
        return Err(invalid(
            "`pild.discriminatory_details` is given but `pild.discriminatory` is false.",
        ));
    }
    let (physical, informed) = match (new.kind, &new.physical) {
        (IncidentKind::Incident, None) => (None, None),
        (IncidentKind::Incident, Some(_)) => {
            return Err(invalid(
                "`physical` is given but `kind` is `standard`: a physical intervention page needs `kind` \
                 `physical_intervention`.",
            ));
        }
        (IncidentKind::PhysicalIntervention, None) => {
            return Err(invalid("`kind` is `physical_intervention` but `physical` is missing."));
        }
        (IncidentKind::PhysicalIntervention, Some(ph)) => {
            let started_at = time(
                "physical.started_at",
                ph.started_at,
                now,
                occurred_at - 86_400,
                "more than a day before the incident",
            )?;
            let ended_at = time(
                "physical.ended_at",
                ph.ended_at,
                now,
                started_at,
                "before `physical.started_at`",
            )?;
            if ended_at - started_at > LONGEST_HOLD {
                return Err(invalid(
                    "`physical.ended_at` is more than 24 hours after `physical.started_at`.",
                ));
            }
            let texts = [
                text("physical.low_behaviours", &ph.low_behaviours, false, LONG_TEXT_MAX)?,
                text(
                    "physical.medium_behaviours",
                    &ph.medium_behaviours,
                    false,
                    LONG_TEXT_MAX,
                )?,
                text("physical.high_behaviours", &ph.high_behaviours, false, LONG_TEXT_MAX)?,
                text("physical.staff_response", &ph.staff_response, true, LONG_TEXT_MAX)?,
                text(
                    "physical.alternative_responses",
                    &ph.alternative_responses,
                    false,
                    LONG_TEXT_MAX,
                )?,
            ];
            let mut seen = std::collections::HashSet::new();
            let mut uses = |field: &str, list: &[crate::wire::TechniqueRating]| -> Result<Vec<(i64, u8)>, ApiError> {
                if list.len() > 50 {
                    return Err(invalid(format!("`{field}` lists more than 50 techniques.")));
                }
                list.iter()
                    .map(|t| {
                        if !(1..=5).contains(&t.effectiveness) {
                            return Err(invalid(format!("`{field}`: effectiveness must be 1 to 5.")));
                        }
                        if !seen.insert(t.technique_id) {
                            return Err(invalid(format!(
                                "`{field}` lists technique {} twice: rate each technique once.",
                                t.technique_id
                            )));
                        }
                        Ok((t.technique_id, t.effectiveness))
                    })
                    .collect()
            };
            let deescalation = uses("physical.deescalation", &ph.deescalation)?;
            let physical = uses("physical.physical_techniques", &ph.physical_techniques)?;
            let informed = match &ph.parents_informed {
                Some(pi) => Some(parents_informed(pi.at, &pi.how, occurred_at, now)?),
                None => None,
            };
            (
                Some(PhysicalInput {
                    started_at,
                    ended_at,
                    texts,
                    deescalation,
                    physical,
                }),
                informed,
            )
        }
    };
    let body = serde_json::to_vec(new).unwrap_or_default();
    Ok(IncidentInput {
        id: new.id.to_string(),
        kind: stored_kind(new.kind),
        subjects,
        others,
        occurred_at,
        location_id: new.location_id,
        category_id: new.category_id,
        what_happened,
        staff: staff_ids,
        injury: new.injury.occurred,
        injury_details,
        pild,
        discriminatory: p.discriminatory,
        discriminatory_details,
        exclusion: stored_exclusion(p.exclusion),
        physical,
        parents_informed: informed,
        hash: hex::encode(Sha256::digest(&body)),
    })
}

/// "Yes" or "No".
fn yes_no(on: bool) -> String {
    if on { "Yes" } else { "No" }.to_string()
}

/// The fields an edit compares, as the view shows them (names, not ids; individuals as their
/// stored ids, rendered per reader when read).
pub(super) fn fields(input: &IncidentInput, names: &DisplayNames) -> Vec<(String, String)> {
    let name = |map: &std::collections::HashMap<i64, String>, id: i64| map.get(&id).cloned().unwrap_or_default();
    let list = |ids: &[i64]| {
        let shown: Vec<String> = ids.iter().map(|id| name(&names.staff, *id)).collect();
        if shown.is_empty() {
            "None".to_string()
        } else {
            shown.join(", ")
        }
    };
    let techniques = |uses: &[(i64, u8)]| {
        let shown: Vec<String> = uses
            .iter()
            .map(|(id, e)| format!("{} ({e}/5)", name(&names.techniques, *id)))
            .collect();
        if shown.is_empty() {
            "None".to_string()
        } else {
            shown.join(", ")
        }
    };
    let ph = input.physical.as_ref();
    let pt = |i: usize| ph.map(|p| p.texts[i].clone()).unwrap_or_default();
    let mut out = vec![
        ("individual_ids", super::super::store::individual_field(&input.subjects)),
        ("occurred_at", uk_datetime(input.occurred_at)),
        ("location", name(&names.locations, input.location_id)),
        (
            "category",
            input
                .category_id
                .map(|id| name(&names.categories, id))
                .unwrap_or_default(),
        ),
        ("what_happened", input.what_happened.clone()),
        ("staff_present", list(&input.staff)),
        (
            "others_involved_ids",
            super::super::store::individual_field(&input.others),
        ),
        ("injury.occurred", yes_no(input.injury)),
        ("injury.details", input.injury_details.clone()),
        ("pild.perspective", input.pild[0].clone()),
        ("pild.feelings", input.pild[1].clone()),
        ("pild.next_time", input.pild[2].clone()),
        ("pild.triggers", input.pild[3].clone()),
        ("pild.adjustments", input.pild[4].clone()),
        ("pild.comments", input.pild[5].clone()),
        ("pild.discriminatory", yes_no(input.discriminatory)),
        ("pild.discriminatory_details", input.discriminatory_details.clone()),
        ("pild.exclusion", wire_exclusion(input.exclusion).label().to_string()),
        (
            "physical.started_at",
            ph.map(|p| uk_datetime(p.started_at)).unwrap_or_default(),
        ),
        (
            "physical.ended_at",
            ph.map(|p| uk_datetime(p.ended_at)).unwrap_or_default(),
        ),
        ("physical.low_behaviours", pt(0)),
        ("physical.medium_behaviours", pt(1)),
        ("physical.high_behaviours", pt(2)),
        ("physical.staff_response", pt(3)),
        ("physical.alternative_responses", pt(4)),
        (
            "physical.deescalation",
            ph.map(|p| techniques(&p.deescalation)).unwrap_or_default(),
        ),
        (
            "physical.physical_techniques",
            ph.map(|p| techniques(&p.physical)).unwrap_or_default(),
        ),
    ];
    out.push((
        "parents_informed",
        input
            .parents_informed
            .as_ref()
            .map(|(at, how)| format!("{}: {how}", uk_datetime(*at)))
            .unwrap_or_else(|| "Not recorded".to_string()),
    ));
    out.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The reference of incident `number`.
pub(super) fn reference(prefix: &str, number: i64) -> String {
    format!("{prefix}-{number}")
}

/// The number of reference `text` of the setting's `prefix`; anything else names no incident
/// (404).
pub(super) fn parse_reference(prefix: &str, text: &str) -> Result<i64, ApiError> {
    text.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('-'))
        .filter(|digits| !digits.is_empty() && digits.len() <= 18 && digits.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|digits| digits.parse().ok())
        .ok_or_else(ApiError::not_found)
}

/// The wire form of `detail` for `reader`.
pub(super) fn wire_incident(detail: IncidentDetail, prefix: &str, reader: &UserRow) -> Incident {
    let IncidentDetail {
        row,
        individuals,
        staff: present,
        techniques,
        accounts,
        notified,
        revisions,
    } = detail;
    let mut subjects: Vec<IndividualRef> = individuals
        .iter()
        .filter(|p| p.role == "subject")
        .map(|p| IndividualRef {
            id: p.id,
            name: PupilName::new(p.name.clone()),
        })
        .collect();
    if subjects.is_empty() {
        subjects.push(IndividualRef {
            id: row.individual_id,
            name: PupilName::default(),
        });
    }
    let others: Vec<IndividualRef> = individuals
        .iter()
        .filter(|p| p.role == "involved" && p.visible)
        .map(|p| IndividualRef {
            id: p.id,
            name: PupilName::new(p.name.clone()),
        })
        .collect();
    let withheld = individuals
        .iter()
        .filter(|p| p.role == "involved" && !p.visible)
        .count();
    let uses = |kind: &str| -> Vec<TechniqueUse> {
        techniques
            .iter()
            .filter(|t| t.kind == kind)
            .map(|t| TechniqueUse {
                technique: ListItem {
                    id: t.technique_id,
                    name: t.name.clone(),
                },
                effectiveness: u8::try_from(t.effectiveness).unwrap_or(1),
            })
            .collect()
    };
    let kind = wire_kind(&row.kind);
    let physical = (kind == IncidentKind::PhysicalIntervention).then(|| PhysicalRecord {
        started_at: timestamp(row.pi_started_at.unwrap_or(row.occurred_at)),
        ended_at: timestamp(row.pi_ended_at.unwrap_or(row.occurred_at)),
        low_behaviours: row.pi_low_behaviours.clone(),
        medium_behaviours: row.pi_medium_behaviours.clone(),
        high_behaviours: row.pi_high_behaviours.clone(),
        staff_response: row.pi_staff_response.clone(),
        alternative_responses: row.pi_alternative_responses.clone(),
        deescalation: uses("deescalation"),
        physical_techniques: uses("physical"),
    });
    let can_do = permissions(reader.role());
    let named = present.iter().any(|(id, _)| *id == reader.id);
    let wrote = accounts.iter().any(|a| a.author_id == reader.id);
    Incident {
        reference: reference(prefix, row.number),
        id: stored_uuid(&row.id),
        kind,
        individuals: subjects,
        occurred_at: timestamp(row.occurred_at),
        location: ListItem {
            id: row.location_id,
            name: row.location_name,
        },
        category: ListItem {
            id: row.category_id,
            name: row.category_name,
        },
        what_happened: row.what_happened,
        staff_present: present.into_iter().map(|(id, name)| staff(id, name)).collect(),
        others_involved: others,
        others_withheld: u32::try_from(withheld).unwrap_or(u32::MAX),
        injury: Injury {
            occurred: row.injury,
            details: row.injury_details,
        },
        pild: Pild {
            perspective: row.pild_perspective,
            feelings: row.pild_feelings,
            next_time: row.pild_next_time,
            triggers: row.pild_triggers,
            adjustments: row.pild_adjustments,
            comments: row.pild_other_comments,
            discriminatory: row.discriminatory,
            discriminatory_details: row.discriminatory_details,
            exclusion: wire_exclusion(&row.exclusion),
        },
        physical,
        reported_by: staff(row.reported_by, row.reported_by_name),
        created_at: timestamp(row.created_at),
        updated_at: timestamp(row.updated_at),
        revision: u32::try_from(row.revision).unwrap_or(1),
        parents_informed: row.parents_informed_at.map(|at| ParentsInformedRecord {
            at: timestamp(at),
            how: row.parents_informed_how.clone(),
            by: staff(
                row.parents_informed_by.unwrap_or_default(),
                row.parents_informed_by_name.clone().unwrap_or_default(),
            ),
        }),
        flag: row.flagged.then(|| FlagRecord {
            reason: row.flag_reason.clone(),
            by: staff(
                row.flagged_by.unwrap_or_default(),
                row.flagged_by_name.clone().unwrap_or_default(),
            ),
            at: timestamp(row.flagged_at.unwrap_or(row.updated_at)),
        }),
        accounts: accounts
            .into_iter()
            .map(|a| StaffAccount {
                id: stored_uuid(&a.id),
                author: staff(a.author_id, a.author_name),
                text: a.text,
                created_at: timestamp(a.created_at),
            })
            .collect(),
        notified: notified.into_iter().map(|(id, name)| staff(id, name)).collect(),
        revisions: revisions
            .into_iter()
            .map(|r| Revision {
                revision: u32::try_from(r.revision).unwrap_or_default(),
                edited_by: staff(r.edited_by, r.edited_by_name),
                edited_at: timestamp(r.edited_at),
                changes: serde_json::from_str::<Vec<FieldChange>>(&r.changes).unwrap_or_default(),
            })
            .collect(),
        can: IncidentActions {
            edit: row.reported_by == reader.id || can_do.edit_incidents,
            delete: can_do.delete_incidents,
            add_account: named && !wrote,
        },
    }
}

/// The last `weekday` of `month` of `year`, at 01:00 UTC (when UK clocks change).
pub(super) fn last_sunday_1am(year: i32, month: u32) -> i64 {
    let next = if month == 12 {
        chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        chrono::NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .unwrap_or_default();
    let mut day = next - Duration::days(1);
    while day.weekday() != Weekday::Sun {
        day -= Duration::days(1);
    }
    day.and_hms_opt(1, 0, 0).unwrap_or_default().and_utc().timestamp()
}

/// UK local time of `unix` (GMT, or BST from the last Sunday of March to the last Sunday of
/// October), e.g. "Tue 1 Dec 2026, 10:42".
pub(super) fn uk_datetime(unix: i64) -> String {
    let utc = timestamp(unix);
    let year = utc.year();
    let bst = unix >= last_sunday_1am(year, 3) && unix < last_sunday_1am(year, 10);
    let local = Utc
        .timestamp_opt(unix + if bst { 3600 } else { 0 }, 0)
        .single()
        .unwrap_or(utc);
    local.format("%a %-d %b %Y, %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse_only_the_setting_form() {
        assert_eq!(parse_reference("besmart", "besmart-10281").unwrap(), 10281);
        for bad in [
            "abc",
            "besmart-",
            "besmart--1",
            "besmart-+1",
            "other-10",
            "besmart-99999999999999999999999",
            "besmart-1a",
            "besmart10",
        ] {
            assert!(parse_reference("besmart", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn uk_dates_follow_british_summer_time() {
        // 1 Dec 2026 10:42 UTC is GMT.
        assert_eq!(uk_datetime(1_796_121_720), "Tue 1 Dec 2026, 10:42");
        // 1 Jul 2026 09:00 UTC is 10:00 BST.
        assert_eq!(uk_datetime(1_782_896_400), "Wed 1 Jul 2026, 10:00");
    }
}
