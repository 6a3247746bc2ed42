//! The reads of `bsmart admin subject-access`: every record about one individual, as JSON, read
//! in one snapshot (a read transaction), with every other individual withheld.
//!
//! Rows become JSON objects column by column ([`row_object`]): integers, reals and text as they
//! are, times (columns ending `_at`, and `retain_until`) as RFC 3339 UTC, internal columns
//! (`submitted_hash`) left out. On a report where the individual is one of several, the others
//! appear only as "another individual (withheld)", the report's first individual id is left
//! out, and a revision's change of who the report names shows "this individual" and a count of
//! the others.

use serde_json::{Map, Value, json};
use sqlx::sqlite::SqliteRow;
use sqlx::{Column, Row, SqliteConnection, TypeInfo, ValueRef};

use super::access::pupil_name;
use super::incidents::INDIVIDUAL_FIELDS;
use super::{Store, StoreResult};

/// Columns never exported: internal bookkeeping, or another individual's id.
const LEFT_OUT: [&str; 2] = ["submitted_hash", "individual_id"];

/// How another individual on a shared report is shown.
pub const WITHHELD: &str = "another individual (withheld)";

/// One row as a JSON object (see the module documentation).
fn row_object(row: &SqliteRow) -> Map<String, Value> {
    let mut object = Map::new();
    for (i, column) in row.columns().iter().enumerate() {
        let name = column.name();
        if LEFT_OUT.contains(&name) {
            continue;
        }
        let kind = row
            .try_get_raw(i)
            .map(|raw| {
                if raw.is_null() {
                    "NULL".to_string()
                } else {
                    raw.type_info().name().to_string()
                }
            })
            .unwrap_or_default();
        let value = match kind.as_str() {
            "INTEGER" => {
                let n: i64 = row.try_get(i).unwrap_or_default();
                if name.ends_with("_at") || name == "retain_until" {
                    chrono::DateTime::from_timestamp(n, 0).map_or(json!(n), |t| json!(t.to_rfc3339()))
                } else {
                    json!(n)
                }
            }
            "REAL" => json!(row.try_get::<f64, _>(i).unwrap_or_default()),
            "TEXT" => json!(row.try_get::<String, _>(i).unwrap_or_default()),
            "BLOB" => json!("(binary, not exported)"),
            _ => Value::Null,
        };
        object.insert(name.to_string(), value);
    }
    object
}

/// Every row of `sql` (with `?1` the individual, `?2` a second id when given) as JSON objects.
async fn objects(
    conn: &mut SqliteConnection,
    sql: &'static str,
    first: i64,
    second: Option<&str>,
) -> StoreResult<Vec<Map<String, Value>>> {
    let query = sqlx::query(sql).bind(first);
    let query = match second {
        Some(second) => query.bind(second.to_string()),
        None => query,
    };
    Ok(query.fetch_all(&mut *conn).await?.iter().map(row_object).collect())
}

/// The incidents naming individual `?1`, as subject or involved.
const INCIDENTS: &str = "SELECT i.*, c.name AS category, l.name AS location, u.display_name AS reported_by_name
     FROM incidents i
     JOIN incident_categories c ON c.id = i.category_id
     JOIN locations l ON l.id = i.location_id
     JOIN users u ON u.id = i.reported_by
     WHERE i.individual_id = ?1
        OR i.id IN (SELECT incident_id FROM incident_individuals WHERE individual_id = ?1)
     ORDER BY i.occurred_at, i.number";

impl Store {
    /// Every record about individual `id` as one JSON document, or `None` when there is no such
    /// individual.
    pub async fn subject_access(&self, id: i64) -> StoreResult<Option<Value>> {
        let mut tx = self.pool.begin().await?;
        let conn: &mut SqliteConnection = &mut tx;
        let details = objects(
            conn,
            concat!(
                "SELECT p.*, ",
                pupil_name!("p"),
                " AS shown_name FROM individuals p WHERE p.id = ?1"
            ),
            id,
            None,
        )
        .await?;
        let Some(mut details) = details.into_iter().next() else {
            return Ok(None);
        };
        details.insert("id".to_string(), json!(id));
        let contacts = objects(
            conn,
            "SELECT name, relationship, phone, email, priority FROM key_contacts WHERE individual_id = ?1 ORDER BY priority, id",
            id,
            None,
        )
        .await?;
        let key_staff = objects(
            conn,
            "SELECT u.display_name AS staff, u.job_title FROM key_staff k JOIN users u ON u.id = k.user_id
             WHERE k.individual_id = ?1 ORDER BY u.display_name",
            id,
            None,
        )
        .await?;
        let mut incidents = objects(conn, INCIDENTS, id, None).await?;
        for incident in incidents.iter_mut() {
            let incident_id = incident["id"].as_str().unwrap_or_default().to_string();
            incident_details(conn, id, &incident_id, incident).await?;
        }
        let clicks = objects(
            conn,
            "SELECT c.id, b.name AS behaviour, b.sentiment, u.display_name AS recorded_by, c.occurred_at,
                    c.recorded_at, c.deleted_at
             FROM clicks c JOIN behaviours b ON b.id = c.behaviour_id JOIN users u ON u.id = c.user_id
             WHERE c.individual_id = ?1 ORDER BY c.occurred_at, c.id",
            id,
            None,
        )
        .await?;
        let mut communications = objects(
            conn,
            "SELECT c.id, c.sentiment, c.message, u.display_name AS author, c.created_at
             FROM communications c JOIN users u ON u.id = c.author_id
             WHERE c.individual_id = ?1 ORDER BY c.created_at, c.id",
            id,
            None,
        )
        .await?;
        for communication in communications.iter_mut() {
            let message = communication["id"].as_str().unwrap_or_default().to_string();
            let recipients = objects(
                conn,
                "SELECT u.display_name AS recipient FROM communication_recipients r JOIN users u ON u.id = r.user_id
                 WHERE ?1 = ?1 AND r.communication_id = ?2 ORDER BY u.display_name",
                id,
                Some(&message),
            )
            .await?;
            let responses = objects(
                conn,
                "SELECT r.id, u.display_name AS author, r.message, r.created_at
                 FROM communication_responses r JOIN users u ON u.id = r.author_id
                 WHERE ?1 = ?1 AND r.communication_id = ?2 ORDER BY r.created_at, r.id",
                id,
                Some(&message),
            )
            .await?;
            communication.insert("recipients".to_string(), json!(recipients));
            communication.insert("responses".to_string(), json!(responses));
        }
        let plans = objects(
            conn,
            "SELECT s.*, u.display_name AS created_by_name FROM smart_plans s JOIN users u ON u.id = s.created_by
             WHERE s.individual_id = ?1 ORDER BY s.created_at, s.id",
            id,
            None,
        )
        .await?;
        let grants = objects(
            conn,
            "SELECT u.display_name AS staff, 'individual' AS scope, a.level, a.granted_at
             FROM access_permissions a JOIN users u ON u.id = a.user_id WHERE a.individual_id = ?1
             UNION ALL
             SELECT u.display_name, g.scope || ' ' || g.name, 'view', g.granted_at
             FROM access_groups g JOIN users u ON u.id = g.user_id JOIN individuals p ON p.id = ?1
             WHERE (g.scope = 'group' AND g.name = p.group_name AND p.group_name <> '')
                OR (g.scope = 'year' AND g.name = p.year_group AND p.year_group <> '')
             ORDER BY 1",
            id,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(Some(json!({
            "individual": details,
            "key_contacts": contacts,
            "key_staff": key_staff,
            "incidents": incidents,
            "clicks": clicks,
            "communications": communications,
            "smart_plans": plans,
            "access_grants": grants,
        })))
    }
}

/// Add to `incident` who it names (the others withheld), the staff present, the techniques,
/// the staff's accounts and the revisions (their individual fields redacted).
async fn incident_details(
    conn: &mut SqliteConnection,
    id: i64,
    incident_id: &str,
    incident: &mut Map<String, Value>,
) -> StoreResult<()> {
    let named: Vec<(i64, String)> = sqlx::query_as(
        "SELECT individual_id, role FROM incident_individuals WHERE incident_id = ?1 ORDER BY role DESC, individual_id",
    )
    .bind(incident_id)
    .fetch_all(&mut *conn)
    .await?;
    let individuals: Vec<Value> = named
        .iter()
        .map(|(other, role)| {
            json!({ "role": role, "individual": if *other == id { "this individual" } else { WITHHELD } })
        })
        .collect();
    let withheld = named.iter().filter(|(other, _)| *other != id).count();
    let mut others: Vec<String> = Vec::new();
    for (other, _) in named.iter().filter(|(other, _)| *other != id) {
        let names: Option<(String, String, String)> =
            sqlx::query_as("SELECT first_name, last_name, preferred_name FROM individuals WHERE id = ?1")
                .bind(other)
                .fetch_optional(&mut *conn)
                .await?;
        if let Some((first, last, preferred)) = names {
            others.extend([first, last, preferred].into_iter().filter(|n| n.chars().count() >= 2));
        }
    }
    incident.insert("individuals".to_string(), json!(individuals));
    incident.insert("others_withheld".to_string(), json!(withheld));
    let sections: [(&str, &'static str); 3] = [
        (
            "staff_present",
            "SELECT u.display_name AS staff FROM incident_staff s JOIN users u ON u.id = s.user_id
             WHERE ?1 = ?1 AND s.incident_id = ?2 ORDER BY u.display_name",
        ),
        (
            "techniques",
            "SELECT t.kind, t.name, x.effectiveness FROM incident_techniques x JOIN techniques t ON t.id = x.technique_id
             WHERE ?1 = ?1 AND x.incident_id = ?2 ORDER BY t.kind, t.position",
        ),
        (
            "staff_accounts",
            "SELECT u.display_name AS author, a.text, a.created_at FROM incident_accounts a JOIN users u ON u.id = a.author_id
             WHERE ?1 = ?1 AND a.incident_id = ?2 ORDER BY a.created_at",
        ),
    ];
    for (key, sql) in sections {
        let rows = objects(conn, sql, id, Some(incident_id)).await?;
        incident.insert(key.to_string(), json!(rows));
    }
    let mut revisions = objects(
        conn,
        "SELECT r.revision, u.display_name AS edited_by, r.edited_at, r.changes
         FROM incident_revisions r JOIN users u ON u.id = r.edited_by
         WHERE ?1 = ?1 AND r.incident_id = ?2 ORDER BY r.revision",
        id,
        Some(incident_id),
    )
    .await?;
    for revision in revisions.iter_mut() {
        let changes = revision["changes"].as_str().unwrap_or("[]");
        let mut changes: Vec<Value> = serde_json::from_str(changes).unwrap_or_default();
        for change in changes.iter_mut() {
            if !INDIVIDUAL_FIELDS.contains(&change["field"].as_str().unwrap_or_default()) {
                continue;
            }
            for side in ["before", "after"] {
                let ids: Vec<i64> = change[side]
                    .as_str()
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|n| n.trim().parse().ok())
                    .collect();
                let mine = ids.contains(&id);
                let others = ids.iter().filter(|n| **n != id).count();
                change[side] = json!(match (mine, others) {
                    (true, 0) => "this individual".to_string(),
                    (true, n) => format!("this individual and {n} others withheld"),
                    (false, n) => format!("{n} others withheld"),
                });
            }
        }
        revision.insert("changes".to_string(), json!(changes));
    }
    incident.insert("revisions".to_string(), json!(revisions));
    if !others.is_empty() {
        for value in incident.values_mut() {
            withhold_names(value, &others);
        }
    }
    Ok(())
}

/// Replace every whole-word occurrence of `names` in the text of `value` (at any depth) by
/// `[withheld]`: a report's free text names the others it is about.
fn withhold_names(value: &mut Value, names: &[String]) {
    match value {
        Value::String(text) => {
            for name in names {
                *text = replace_word(text, name, "[withheld]");
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| withhold_names(item, names)),
        Value::Object(fields) => fields.values_mut().for_each(|field| withhold_names(field, names)),
        _ => {}
    }
}

/// `text` with each whole-word, case-insensitive occurrence of `word` replaced by `with`.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let (lower, target) = (text.to_lowercase(), word.to_lowercase());
    if lower.len() != text.len() || !lower.contains(&target) {
        // Lower-casing changed byte offsets (rare scripts): match the case as stored instead.
        return if lower.len() != text.len() {
            replace_exact(text, word, with)
        } else {
            text.to_string()
        };
    }
    let mut out = String::new();
    let mut rest = 0;
    for (at, _) in lower.match_indices(&target) {
        let end = at + target.len();
        let before = text[..at].chars().next_back();
        let after = text[end..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        if at >= rest && boundary(before) && boundary(after) {
            out.push_str(&text[rest..at]);
            out.push_str(with);
            rest = end;
        }
    }
    out.push_str(&text[rest..]);
    out
}

/// `text` with each whole-word occurrence of `word` (same case) replaced by `with`.
fn replace_exact(text: &str, word: &str, with: &str) -> String {
    text.split_inclusive(|c: char| !c.is_alphanumeric())
        .map(|piece| {
            let core = piece.trim_end_matches(|c: char| !c.is_alphanumeric());
            if core == word {
                format!("{with}{}", &piece[core.len()..])
            } else {
                piece.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_withheld_as_whole_words_only() {
        let mut value = json!({ "what_happened": "Jack shoved Jackson; JACK left.", "n": 3, "list": ["jack"] });
        withhold_names(&mut value, &["Jack".to_string()]);
        assert_eq!(
            value["what_happened"],
            json!("[withheld] shoved Jackson; [withheld] left.")
        );
        assert_eq!(value["list"][0], json!("[withheld]"));
        assert_eq!(replace_word("İrem met Jack", "Jack", "[w]"), "İrem met [w]");
    }
}
