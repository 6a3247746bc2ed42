//! Incident reports (issue 11): writing one (its reference number taken from the setting in the
//! same transaction, so numbers have no gaps or repeats), reading one whole, editing it as a new
//! revision (compare-and-set on the revision), parents informed, the flag, staff accounts,
//! deletion (hidden, never erased), and the setting's lists a report names (locations,
//! categories, techniques, staff). Every read goes through the access rule of
//! [`incident_visible!`].

use std::collections::{HashMap, HashSet};

use sqlx::FromRow;

use super::access::{bind_viewer, can_see, incident_visible, pupil_name, visible_individuals};
use super::users::role_of;
use super::{Store, StoreResult, Tx, Viewer};
use crate::server::permissions::permissions;

/// A report as checked by its handler, with ids (what the store writes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentInput {
    /// The client-made UUID.
    pub id: String,
    /// `incident` or `physical_intervention`.
    pub kind: &'static str,
    /// Who it is about, first the one lists show.
    pub subjects: Vec<i64>,
    /// Others involved.
    pub others: Vec<i64>,
    /// When (unix seconds).
    pub occurred_at: i64,
    /// Location.
    pub location_id: i64,
    /// Category (the setting's first when `None`).
    pub category_id: Option<i64>,
    /// What happened.
    pub what_happened: String,
    /// Staff present.
    pub staff: Vec<i64>,
    /// An injury occurred.
    pub injury: bool,
    /// The injury.
    pub injury_details: String,
    /// PILD texts: perspective, feelings, next time, triggers, adjustments, comments.
    pub pild: [String; 6],
    /// Discriminatory behaviour.
    pub discriminatory: bool,
    /// Which.
    pub discriminatory_details: String,
    /// `none`, `suspension` or `permanent_exclusion`.
    pub exclusion: &'static str,
    /// The physical intervention page.
    pub physical: Option<PhysicalInput>,
    /// Parents informed (at, how) as given with the physical page.
    pub parents_informed: Option<(i64, String)>,
    /// SHA-256 of the body as submitted (the idempotency key's other half).
    pub hash: String,
}

/// The physical intervention page of an [`IncidentInput`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhysicalInput {
    /// Started.
    pub started_at: i64,
    /// Ended.
    pub ended_at: i64,
    /// Low, medium, high behaviours, staff response, alternative responses.
    pub texts: [String; 5],
    /// De-escalation techniques with effectiveness.
    pub deescalation: Vec<(i64, u8)>,
    /// Physical techniques with effectiveness.
    pub physical: Vec<(i64, u8)>,
}

/// Why a report's references were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// An individual is unknown or not visible: 404, exactly as a missing one.
    NotFound,
    /// Another id is wrong: 422 with this message.
    Invalid(String),
}

/// What writing a new report came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    /// Refused; nothing written and no number taken.
    Refused(Refusal),
    /// Written with this number; these users were notified.
    Created {
        /// Reference number.
        number: i64,
        /// Notified users.
        notified: usize,
    },
    /// The same submission again (a retry): this number.
    Existing(i64),
    /// The id belongs to another submission.
    Conflict,
}

/// What an edit came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edited {
    /// No such incident, or one the editor may not see.
    NotFound,
    /// The editor may see it but not edit it.
    Forbidden,
    /// The report's id or kind is not the stored one.
    Mismatch,
    /// The base revision is not the current one.
    Stale,
    /// A reference was refused.
    Refused(Refusal),
    /// Nothing changed: no revision.
    Unchanged,
    /// Stored as this revision, with this many changes.
    Changed {
        /// The new revision.
        revision: i64,
        /// How many fields changed.
        changes: usize,
    },
}

/// One incident as stored, with the names of what it refers to.
#[derive(Debug, Clone, FromRow)]
pub struct IncidentFullRow {
    pub id: String,
    pub number: i64,
    pub kind: String,
    pub individual_id: i64,
    pub occurred_at: i64,
    pub location_id: i64,
    pub location_name: String,
    pub category_id: i64,
    pub category_name: String,
    pub what_happened: String,
    pub injury: bool,
    pub injury_details: String,
    pub pild_perspective: String,
    pub pild_feelings: String,
    pub pild_next_time: String,
    pub pild_triggers: String,
    pub pild_adjustments: String,
    pub pild_other_comments: String,
    pub discriminatory: bool,
    pub discriminatory_details: String,
    pub exclusion: String,
    pub pi_started_at: Option<i64>,
    pub pi_ended_at: Option<i64>,
    pub pi_low_behaviours: String,
    pub pi_medium_behaviours: String,
    pub pi_high_behaviours: String,
    pub pi_staff_response: String,
    pub pi_alternative_responses: String,
    pub parents_informed_at: Option<i64>,
    pub parents_informed_how: String,
    pub parents_informed_by: Option<i64>,
    pub parents_informed_by_name: Option<String>,
    pub flagged: bool,
    pub flag_reason: String,
    pub flagged_by: Option<i64>,
    pub flagged_by_name: Option<String>,
    pub flagged_at: Option<i64>,
    pub reported_by: i64,
    pub reported_by_name: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub revision: i64,
}

/// An individual named on an incident.
#[derive(Debug, Clone, FromRow)]
pub struct NamedIndividual {
    /// Id.
    pub id: i64,
    /// Name as lists show it.
    pub name: String,
    /// `subject` or `involved`.
    pub role: String,
    /// The reader may see them.
    pub visible: bool,
}

/// A technique used on an incident.
#[derive(Debug, Clone, FromRow)]
pub struct TechniqueUseRow {
    /// Technique id.
    pub technique_id: i64,
    /// `deescalation` or `physical`.
    pub kind: String,
    /// Name.
    pub name: String,
    /// 1 to 5.
    pub effectiveness: i64,
}

/// A staff account on an incident.
#[derive(Debug, Clone, FromRow)]
pub struct AccountRow {
    /// UUID.
    pub id: String,
    /// Author.
    pub author_id: i64,
    /// Their name.
    pub author_name: String,
    /// Text.
    pub text: String,
    /// When.
    pub created_at: i64,
}

/// A revision row; `changes` is its JSON.
#[derive(Debug, Clone, FromRow)]
pub struct RevisionRow {
    /// Revision made.
    pub revision: i64,
    /// Editor.
    pub edited_by: i64,
    /// Their name.
    pub edited_by_name: String,
    /// When.
    pub edited_at: i64,
    /// JSON array of {field, before, after}.
    pub changes: String,
}

/// A whole incident as its reader may see it.
#[derive(Debug, Clone)]
pub struct IncidentDetail {
    /// The row.
    pub row: IncidentFullRow,
    /// Subjects and others involved (every one; `visible` says which the reader may see).
    pub individuals: Vec<NamedIndividual>,
    /// Staff present (id, name).
    pub staff: Vec<(i64, String)>,
    /// Techniques.
    pub techniques: Vec<TechniqueUseRow>,
    /// Accounts, oldest first.
    pub accounts: Vec<AccountRow>,
    /// Who was notified (id, name).
    pub notified: Vec<(i64, String)>,
    /// Revisions, oldest first, with individuals rendered for this reader.
    pub revisions: Vec<RevisionRow>,
}

/// An item of a setting list.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ItemRow {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
}

/// The stored id of the field changes that name individuals: rendered per reader (ids in the
/// database, names only of those the reader may see).
pub const INDIVIDUAL_FIELDS: [&str; 2] = ["individual_ids", "others_involved_ids"];

/// `ids` as the stored form of an individual field.
fn ids_text(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// The columns of an [`IncidentFullRow`] of incident `i`.
macro_rules! full_row {
    () => {
        " SELECT i.id, i.number, i.kind, i.individual_id, i.occurred_at, i.location_id, l.name AS location_name,
                 i.category_id, c.name AS category_name, i.what_happened, i.injury, i.injury_details,
                 i.pild_perspective, i.pild_feelings, i.pild_next_time, i.pild_triggers, i.pild_adjustments,
                 i.pild_other_comments, i.discriminatory, i.discriminatory_details, i.exclusion,
                 i.pi_started_at, i.pi_ended_at, i.pi_low_behaviours, i.pi_medium_behaviours,
                 i.pi_high_behaviours, i.pi_staff_response, i.pi_alternative_responses,
                 i.parents_informed_at, i.parents_informed_how, i.parents_informed_by,
                 pu.display_name AS parents_informed_by_name, i.flagged, i.flag_reason, i.flagged_by,
                 fu.display_name AS flagged_by_name, i.flagged_at, i.reported_by,
                 ru.display_name AS reported_by_name, i.created_at, i.updated_at, i.revision
          FROM incidents i
          JOIN locations l ON l.id = i.location_id
          JOIN incident_categories c ON c.id = i.category_id
          JOIN users ru ON ru.id = i.reported_by
          LEFT JOIN users pu ON pu.id = i.parents_informed_by
          LEFT JOIN users fu ON fu.id = i.flagged_by"
    };
}

impl Store {
    /// The active locations, in the setting's order.
    pub async fn locations(&self) -> StoreResult<Vec<ItemRow>> {
        sqlx::query_as("SELECT id, name FROM locations WHERE active = 1 ORDER BY position, id")
            .fetch_all(&self.pool)
            .await
    }

    /// The active incident categories, in the setting's order.
    pub async fn incident_categories(&self) -> StoreResult<Vec<ItemRow>> {
        sqlx::query_as("SELECT id, name FROM incident_categories WHERE active = 1 ORDER BY position, id")
            .fetch_all(&self.pool)
            .await
    }

    /// The active techniques of `kind`, in the form's order.
    pub async fn techniques(&self, kind: &str) -> StoreResult<Vec<ItemRow>> {
        sqlx::query_as("SELECT id, name FROM techniques WHERE kind = ?1 AND active = 1 ORDER BY position, id")
            .bind(kind)
            .fetch_all(&self.pool)
            .await
    }

    /// The active staff, by name.
    pub async fn active_staff(&self) -> StoreResult<Vec<ItemRow>> {
        sqlx::query_as("SELECT id, display_name AS name FROM users WHERE active = 1 ORDER BY display_name, id")
            .fetch_all(&self.pool)
            .await
    }

    /// Incident `number`, whole, if `viewer` may see it.
    pub async fn incident(&self, viewer: Viewer, number: i64) -> StoreResult<Option<IncidentDetail>> {
        let mut conn = self.pool.acquire().await?;
        incident_detail(&mut conn, viewer, number).await
    }
}

/// Incident `number`, whole, if `viewer` may see it (on any connection).
pub(super) async fn incident_detail(
    conn: &mut sqlx::SqliteConnection,
    viewer: Viewer,
    number: i64,
) -> StoreResult<Option<IncidentDetail>> {
    let query = sqlx::query_as(concat!(
        "WITH ",
        visible_individuals!(),
        full_row!(),
        " WHERE i.number = ?3 AND ",
        incident_visible!("i")
    ));
    let row: Option<IncidentFullRow> = bind_viewer(query, viewer)
        .bind(number)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let individuals = sqlx::query_as(concat!(
        "WITH ",
        visible_individuals!(),
        " SELECT p.id, ",
        pupil_name!("p"),
        " AS name, x.role, p.id IN (SELECT individual_id FROM visible) AS visible
          FROM incident_individuals x JOIN individuals p ON p.id = x.individual_id
          WHERE x.incident_id = ?3
          ORDER BY x.rowid"
    ));
    let individuals: Vec<NamedIndividual> = bind_viewer(individuals, viewer)
        .bind(&row.id)
        .fetch_all(&mut *conn)
        .await?;
    let staff: Vec<(i64, String)> = sqlx::query_as(
        "SELECT u.id, u.display_name FROM incident_staff s JOIN users u ON u.id = s.user_id
         WHERE s.incident_id = ?1 ORDER BY s.rowid",
    )
    .bind(&row.id)
    .fetch_all(&mut *conn)
    .await?;
    let techniques = sqlx::query_as(
        "SELECT t.id AS technique_id, t.kind, t.name, x.effectiveness
         FROM incident_techniques x JOIN techniques t ON t.id = x.technique_id
         WHERE x.incident_id = ?1 ORDER BY x.rowid",
    )
    .bind(&row.id)
    .fetch_all(&mut *conn)
    .await?;
    let accounts = sqlx::query_as(
        "SELECT a.id, a.author_id, u.display_name AS author_name, a.text, a.created_at
         FROM incident_accounts a JOIN users u ON u.id = a.author_id
         WHERE a.incident_id = ?1 ORDER BY a.created_at, a.rowid",
    )
    .bind(&row.id)
    .fetch_all(&mut *conn)
    .await?;
    let notified: Vec<(i64, String)> = sqlx::query_as(
        "SELECT u.id, u.display_name FROM incident_notified n JOIN users u ON u.id = n.user_id
         WHERE n.incident_id = ?1 ORDER BY u.display_name, u.id",
    )
    .bind(&row.id)
    .fetch_all(&mut *conn)
    .await?;
    let mut revisions: Vec<RevisionRow> = sqlx::query_as(
        "SELECT r.revision, r.edited_by, u.display_name AS edited_by_name, r.edited_at, r.changes
         FROM incident_revisions r JOIN users u ON u.id = r.edited_by
         WHERE r.incident_id = ?1 ORDER BY r.revision",
    )
    .bind(&row.id)
    .fetch_all(&mut *conn)
    .await?;
    render_revision_individuals(conn, viewer, &mut revisions).await?;
    Ok(Some(IncidentDetail {
        row,
        individuals,
        staff,
        techniques,
        accounts,
        notified,
        revisions,
    }))
}

/// Replace the ids of the individual fields of `revisions` by the names of those `viewer` may
/// see, and a count of the others ("2 others not shown"): an edit never names to a reader an
/// individual they may not see.
async fn render_revision_individuals(
    conn: &mut sqlx::SqliteConnection,
    viewer: Viewer,
    revisions: &mut [RevisionRow],
) -> StoreResult<()> {
    let mut names: HashMap<i64, Option<String>> = HashMap::new();
    for revision in revisions.iter_mut() {
        let Ok(mut changes) = serde_json::from_str::<Vec<serde_json::Value>>(&revision.changes) else {
            continue;
        };
        for change in changes.iter_mut() {
            let field = change["field"].as_str().unwrap_or_default().to_string();
            if !INDIVIDUAL_FIELDS.contains(&field.as_str()) {
                continue;
            }
            for side in ["before", "after"] {
                let ids: Vec<i64> = change[side]
                    .as_str()
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|id| id.parse().ok())
                    .collect();
                let mut shown = Vec::new();
                let mut hidden = 0;
                for id in ids {
                    let name = match names.get(&id) {
                        Some(known) => known.clone(),
                        None => {
                            let name = if can_see(&mut *conn, viewer, id).await? {
                                let query = sqlx::query_as(concat!(
                                    "SELECT ",
                                    pupil_name!("p"),
                                    " FROM individuals p WHERE p.id = ?1"
                                ));
                                let found: Option<(String,)> = query.bind(id).fetch_optional(&mut *conn).await?;
                                found.map(|(name,)| name)
                            } else {
                                None
                            };
                            names.insert(id, name.clone());
                            name
                        }
                    };
                    match name {
                        Some(name) => shown.push(name),
                        None => hidden += 1,
                    }
                }
                if hidden > 0 {
                    shown.push(match hidden {
                        1 => "1 other not shown".to_string(),
                        n => format!("{n} others not shown"),
                    });
                }
                change[side] = serde_json::Value::String(if shown.is_empty() {
                    "None".to_string()
                } else {
                    shown.join(", ")
                });
            }
            change["field"] = serde_json::Value::String(match field.as_str() {
                "individual_ids" => "individuals".to_string(),
                _ => "others_involved".to_string(),
            });
        }
        revision.changes = serde_json::to_string(&changes).unwrap_or_else(|_| "[]".to_string());
    }
    Ok(())
}

/// The viewer `user_id` is, read from their role now (inactive users see nothing).
async fn viewer_of(conn: &mut sqlx::SqliteConnection, user_id: i64) -> StoreResult<Option<Viewer>> {
    let found: Option<(String,)> = sqlx::query_as("SELECT role FROM users WHERE id = ?1 AND active = 1")
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.map(|(role,)| Viewer {
        user_id,
        sees_all: permissions(role_of(&role)).see_all_individuals,
    }))
}

/// Whether `user_id` may see every one of `subjects` now.
async fn sees_all_of(conn: &mut sqlx::SqliteConnection, user_id: i64, subjects: Vec<i64>) -> StoreResult<bool> {
    let Some(viewer) = viewer_of(conn, user_id).await? else {
        return Ok(false);
    };
    for id in subjects {
        if !can_see(&mut *conn, viewer, id).await? {
            return Ok(false);
        }
    }
    Ok(true)
}

impl Tx {
    /// Check every reference of `input` as `viewer` (author `author`): individuals exist and are
    /// visible, location and category active (or, in an edit, the ones the record has already:
    /// `kept`, its location and category, which stay even once retired), staff active and not
    /// the author, techniques active and of their list. No category: the first active one.
    async fn check_references(
        &mut self,
        viewer: Viewer,
        author: i64,
        input: &IncidentInput,
        kept: Option<(i64, i64)>,
    ) -> StoreResult<Result<i64, Refusal>> {
        let (kept_location, kept_category) = kept.unzip();
        let individuals: Vec<i64> = input.subjects.iter().chain(&input.others).copied().collect();
        for id in individuals {
            if !can_see(self.read(), viewer, id).await? {
                return Ok(Err(Refusal::NotFound));
            }
        }
        let location: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM locations WHERE id = ?1 AND (active = 1 OR id IS ?2)")
                .bind(input.location_id)
                .bind(kept_location)
                .fetch_optional(self.read())
                .await?;
        if location.is_none() {
            return Ok(Err(Refusal::Invalid(
                "`location_id` is not one of the setting's locations (GET /locations).".into(),
            )));
        }
        let category: Option<(i64,)> = match input.category_id {
            Some(id) => {
                sqlx::query_as("SELECT id FROM incident_categories WHERE id = ?1 AND (active = 1 OR id IS ?2)")
                    .bind(id)
                    .bind(kept_category)
                    .fetch_optional(self.read())
                    .await?
            }
            None => {
                sqlx::query_as("SELECT id FROM incident_categories WHERE active = 1 ORDER BY position, id LIMIT 1")
                    .fetch_optional(self.read())
                    .await?
            }
        };
        let Some((category_id,)) = category else {
            return Ok(Err(Refusal::Invalid(
                "`category_id` is not one of the setting's incident categories (GET /incident-categories).".into(),
            )));
        };
        for id in input.staff.clone() {
            if id == author {
                return Ok(Err(Refusal::Invalid(
                    "`staff_present_ids` names the author: list the other staff present.".into(),
                )));
            }
            let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE id = ?1 AND active = 1")
                .bind(id)
                .fetch_optional(self.read())
                .await?;
            if found.is_none() {
                return Ok(Err(Refusal::Invalid(format!(
                    "`staff_present_ids` holds {id}, which is not an active member of staff (GET /staff)."
                ))));
            }
        }
        if let Some(physical) = &input.physical {
            for (list, field, uses) in [
                ("deescalation", "physical.deescalation", physical.deescalation.clone()),
                ("physical", "physical.physical_techniques", physical.physical.clone()),
            ] {
                for (id, _) in uses {
                    let found: Option<(i64,)> =
                        sqlx::query_as("SELECT id FROM techniques WHERE id = ?1 AND kind = ?2 AND active = 1")
                            .bind(id)
                            .bind(list)
                            .fetch_optional(self.read())
                            .await?;
                    if found.is_none() {
                        return Ok(Err(Refusal::Invalid(format!(
                            "`{field}` holds technique {id}, which is not on that list (GET /techniques)."
                        ))));
                    }
                }
            }
        }
        Ok(Ok(category_id))
    }

    /// Write the children rows of incident `id` from `input` (after deleting the old ones).
    async fn write_children(&mut self, input: &IncidentInput) -> StoreResult<()> {
        for statement in [
            "DELETE FROM incident_individuals WHERE incident_id = ?1",
            "DELETE FROM incident_staff WHERE incident_id = ?1",
            "DELETE FROM incident_techniques WHERE incident_id = ?1",
        ] {
            sqlx::query(statement).bind(&input.id).execute(self.write()).await?;
        }
        for (role, ids) in [("subject", input.subjects.clone()), ("involved", input.others.clone())] {
            for id in ids {
                sqlx::query("INSERT INTO incident_individuals (incident_id, individual_id, role) VALUES (?1, ?2, ?3)")
                    .bind(&input.id)
                    .bind(id)
                    .bind(role)
                    .execute(self.write())
                    .await?;
            }
        }
        for id in input.staff.clone() {
            sqlx::query("INSERT INTO incident_staff (incident_id, user_id) VALUES (?1, ?2)")
                .bind(&input.id)
                .bind(id)
                .execute(self.write())
                .await?;
        }
        if let Some(physical) = &input.physical {
            let uses: Vec<(i64, u8)> = physical
                .deescalation
                .iter()
                .chain(&physical.physical)
                .copied()
                .collect();
            for (id, effectiveness) in uses {
                sqlx::query(
                    "INSERT INTO incident_techniques (incident_id, technique_id, effectiveness) VALUES (?1, ?2, ?3)",
                )
                .bind(&input.id)
                .bind(id)
                .bind(i64::from(effectiveness))
                .execute(self.write())
                .await?;
            }
        }
        Ok(())
    }

    /// Notify `users` (not `actor`) of incident `id` with `kind`; answers who was notified.
    async fn notify(
        &mut self,
        users: Vec<i64>,
        kind: &str,
        incident_id: &str,
        individual_id: i64,
        actor: i64,
        now: i64,
    ) -> StoreResult<Vec<i64>> {
        let mut done = Vec::new();
        for user in users {
            if user == actor || done.contains(&user) {
                continue;
            }
            sqlx::query(
                "INSERT INTO notifications (user_id, kind, individual_id, actor_id, incident_id, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .bind(user)
            .bind(kind)
            .bind(individual_id)
            .bind(actor)
            .bind(incident_id)
            .bind(now)
            .execute(self.write())
            .await?;
            done.push(user);
        }
        Ok(done)
    }

    /// The active key staff of any of `subjects`.
    async fn key_staff_of(&mut self, subjects: &[i64]) -> StoreResult<Vec<i64>> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT DISTINCT k.user_id FROM key_staff k JOIN users u ON u.id = k.user_id
             WHERE u.active = 1 AND k.individual_id IN (SELECT value FROM json_each(?1))
             ORDER BY k.user_id",
        )
        .bind(serde_json::to_string(subjects).unwrap_or_default())
        .fetch_all(self.read())
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Write report `input` by `author` (seen as `viewer`) at `now`: the reference number is
    /// taken from the setting here, after every check, so a refused or repeated submission
    /// takes none and (the transaction holding the write lock) parallel ones get consecutive
    /// numbers. The author's draft with the same id is deleted; staff present are invited and
    /// the subjects' key staff told (never the author).
    pub async fn create_incident(
        &mut self,
        viewer: Viewer,
        author: i64,
        input: &IncidentInput,
        now: i64,
        retain_until: i64,
    ) -> StoreResult<Created> {
        let existing: Option<(i64, String, i64)> =
            sqlx::query_as("SELECT reported_by, submitted_hash, number FROM incidents WHERE id = ?1")
                .bind(&input.id)
                .fetch_optional(self.read())
                .await?;
        if let Some((reported_by, hash, number)) = existing {
            return Ok(if reported_by == author && hash == input.hash {
                Created::Existing(number)
            } else {
                Created::Conflict
            });
        }
        let category_id = match self.check_references(viewer, author, input, None).await? {
            Ok(category_id) => category_id,
            Err(refusal) => return Ok(Created::Refused(refusal)),
        };
        let (number,): (i64,) = sqlx::query_as(
            "UPDATE setting SET next_incident_number = next_incident_number + 1
             RETURNING next_incident_number - 1",
        )
        .fetch_one(self.write())
        .await?;
        let physical = input.physical.as_ref();
        let text = |i: usize| physical.map_or("", |p| p.texts[i].as_str());
        let (informed_at, informed_how) = input.parents_informed.clone().unzip();
        sqlx::query(
            "INSERT INTO incidents (id, number, kind, individual_id, category_id, location_id, occurred_at,
                reported_by, what_happened, injury, injury_details, pild_perspective, pild_feelings,
                pild_next_time, pild_triggers, pild_adjustments, pild_other_comments, discriminatory,
                discriminatory_details, exclusion, pi_started_at, pi_ended_at, pi_low_behaviours,
                pi_medium_behaviours, pi_high_behaviours, pi_staff_response, pi_alternative_responses,
                parents_informed_at, parents_informed_how, parents_informed_by, created_at, updated_at,
                retain_until, revision, submitted_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                     ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?31, ?32, 1, ?33)",
        )
        .bind(&input.id)
        .bind(number)
        .bind(input.kind)
        .bind(input.subjects.first().copied().unwrap_or_default())
        .bind(category_id)
        .bind(input.location_id)
        .bind(input.occurred_at)
        .bind(author)
        .bind(&input.what_happened)
        .bind(input.injury)
        .bind(&input.injury_details)
        .bind(&input.pild[0])
        .bind(&input.pild[1])
        .bind(&input.pild[2])
        .bind(&input.pild[3])
        .bind(&input.pild[4])
        .bind(&input.pild[5])
        .bind(input.discriminatory)
        .bind(&input.discriminatory_details)
        .bind(input.exclusion)
        .bind(physical.map(|p| p.started_at))
        .bind(physical.map(|p| p.ended_at))
        .bind(text(0))
        .bind(text(1))
        .bind(text(2))
        .bind(text(3))
        .bind(text(4))
        .bind(informed_at)
        .bind(informed_how.unwrap_or_default())
        .bind(informed_at.map(|_| author))
        .bind(now)
        .bind(retain_until)
        .bind(&input.hash)
        .execute(self.write())
        .await?;
        self.write_children(input).await?;
        sqlx::query("DELETE FROM drafts WHERE id = ?1 AND user_id = ?2")
            .bind(&input.id)
            .bind(author)
            .execute(self.write())
            .await?;
        let primary = input.subjects.first().copied().unwrap_or_default();
        let mut notified = self
            .notify(
                input.staff.clone(),
                "collaboration_invite",
                &input.id,
                primary,
                author,
                now,
            )
            .await?;
        let key_staff: Vec<i64> = self
            .key_staff_of(&input.subjects)
            .await?
            .into_iter()
            .filter(|id| !notified.contains(id))
            .collect();
        notified.extend(
            self.notify(key_staff, "incident_reported", &input.id, primary, author, now)
                .await?,
        );
        for user in notified.clone() {
            sqlx::query("INSERT OR IGNORE INTO incident_notified (incident_id, user_id) VALUES (?1, ?2)")
                .bind(&input.id)
                .bind(user)
                .execute(self.write())
                .await?;
        }
        Ok(Created::Created {
            number,
            notified: notified.len(),
        })
    }

    /// Incident `number` as `viewer` may see it, read inside this transaction.
    pub async fn incident(&mut self, viewer: Viewer, number: i64) -> StoreResult<Option<IncidentDetail>> {
        incident_detail(self.read(), viewer, number).await
    }

    /// Edit incident `number` as `viewer` (who edits every incident when `edit_all`) from
    /// `base` to `input`; `fields` turns a report into the (field, shown value) pairs an edit
    /// compares, names resolved by [`Tx::display_names`].
    #[allow(clippy::too_many_arguments)]
    pub async fn edit_incident(
        &mut self,
        viewer: Viewer,
        edit_all: bool,
        number: i64,
        base: i64,
        input: &IncidentInput,
        now: i64,
        fields: FieldsOf,
    ) -> StoreResult<Edited> {
        let Some(current) = incident_detail(self.read(), viewer, number).await? else {
            return Ok(Edited::NotFound);
        };
        let row = &current.row;
        if row.reported_by != viewer.user_id && !edit_all {
            return Ok(Edited::Forbidden);
        }
        if row.id != input.id || row.kind != input.kind {
            return Ok(Edited::Mismatch);
        }
        if row.revision != base {
            return Ok(Edited::Stale);
        }
        let mut input = input.clone();
        let kept = Some((row.location_id, row.category_id));
        match self.check_references(viewer, row.reported_by, &input, kept).await? {
            Ok(category_id) => input.category_id = Some(category_id),
            Err(refusal) => return Ok(Edited::Refused(refusal)),
        }
        // Others involved whom the editor may not see were never shown to them (only counted),
        // so the edit keeps them: an edit changes only what its author could read.
        for hidden in current
            .individuals
            .iter()
            .filter(|p| p.role == "involved" && !p.visible)
        {
            if !input.others.contains(&hidden.id) {
                input.others.push(hidden.id);
            }
        }
        let old = stored_input(&current);
        if input.parents_informed.is_none() {
            input.parents_informed = old.parents_informed.clone();
        }
        let informed = (input.parents_informed != old.parents_informed)
            .then(|| input.parents_informed.clone())
            .flatten();
        let names = self.display_names(&[&old, &input]).await?;
        let before = fields(&old, &names);
        let after = fields(&input, &names);
        let changes: Vec<serde_json::Value> = before
            .iter()
            .zip(&after)
            .filter(|(b, a)| b.1 != a.1)
            .map(|(b, a)| serde_json::json!({ "field": b.0, "before": b.1, "after": a.1 }))
            .collect();
        if changes.is_empty() {
            return Ok(Edited::Unchanged);
        }
        let physical = input.physical.as_ref();
        let text = |i: usize| physical.map_or("", |p| p.texts[i].as_str());
        let updated = sqlx::query(
            "UPDATE incidents SET individual_id = ?3, category_id = ?4, location_id = ?5, occurred_at = ?6,
                what_happened = ?7, injury = ?8, injury_details = ?9, pild_perspective = ?10, pild_feelings = ?11,
                pild_next_time = ?12, pild_triggers = ?13, pild_adjustments = ?14, pild_other_comments = ?15,
                discriminatory = ?16, discriminatory_details = ?17, exclusion = ?18, pi_started_at = ?19,
                pi_ended_at = ?20, pi_low_behaviours = ?21, pi_medium_behaviours = ?22, pi_high_behaviours = ?23,
                pi_staff_response = ?24, pi_alternative_responses = ?25,
                parents_informed_at = COALESCE(?26, parents_informed_at),
                parents_informed_how = COALESCE(?27, parents_informed_how),
                parents_informed_by = CASE WHEN ?26 IS NULL THEN parents_informed_by ELSE ?28 END,
                updated_at = ?29, revision = revision + 1
             WHERE id = ?1 AND revision = ?2 AND deleted_at IS NULL",
        )
        .bind(&input.id)
        .bind(base)
        .bind(input.subjects.first().copied().unwrap_or_default())
        .bind(input.category_id)
        .bind(input.location_id)
        .bind(input.occurred_at)
        .bind(&input.what_happened)
        .bind(input.injury)
        .bind(&input.injury_details)
        .bind(&input.pild[0])
        .bind(&input.pild[1])
        .bind(&input.pild[2])
        .bind(&input.pild[3])
        .bind(&input.pild[4])
        .bind(&input.pild[5])
        .bind(input.discriminatory)
        .bind(&input.discriminatory_details)
        .bind(input.exclusion)
        .bind(physical.map(|p| p.started_at))
        .bind(physical.map(|p| p.ended_at))
        .bind(text(0))
        .bind(text(1))
        .bind(text(2))
        .bind(text(3))
        .bind(text(4))
        .bind(informed.as_ref().map(|p| p.0))
        .bind(informed.as_ref().map(|p| p.1.clone()))
        .bind(viewer.user_id)
        .bind(now)
        .execute(self.write())
        .await?;
        if updated.rows_affected() == 0 {
            return Ok(Edited::Stale);
        }
        self.write_children(&input).await?;
        let revision = base + 1;
        sqlx::query(
            "INSERT INTO incident_revisions (incident_id, revision, edited_by, edited_at, changes)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(&input.id)
        .bind(revision)
        .bind(viewer.user_id)
        .bind(now)
        .bind(serde_json::to_string(&changes).unwrap_or_else(|_| "[]".to_string()))
        .execute(self.write())
        .await?;
        let added: Vec<i64> = input
            .staff
            .iter()
            .copied()
            .filter(|id| !old.staff.contains(id))
            .collect();
        let primary = input.subjects.first().copied().unwrap_or_default();
        let invited = self
            .notify(added, "collaboration_invite", &input.id, primary, viewer.user_id, now)
            .await?;
        for user in invited.clone() {
            sqlx::query("INSERT OR IGNORE INTO incident_notified (incident_id, user_id) VALUES (?1, ?2)")
                .bind(&input.id)
                .bind(user)
                .execute(self.write())
                .await?;
        }
        Ok(Edited::Changed {
            revision,
            changes: changes.len(),
        })
    }

    /// The names every id of `inputs` is shown as.
    pub async fn display_names(&mut self, inputs: &[&IncidentInput]) -> StoreResult<DisplayNames> {
        let mut names = DisplayNames::default();
        let inputs: Vec<IncidentInput> = inputs.iter().map(|i| (*i).clone()).collect();
        for input in inputs {
            let (location,): (String,) = sqlx::query_as("SELECT name FROM locations WHERE id = ?1")
                .bind(input.location_id)
                .fetch_optional(self.read())
                .await?
                .unwrap_or_default();
            names.locations.insert(input.location_id, location);
            if let Some(id) = input.category_id {
                let (category,): (String,) = sqlx::query_as("SELECT name FROM incident_categories WHERE id = ?1")
                    .bind(id)
                    .fetch_optional(self.read())
                    .await?
                    .unwrap_or_default();
                names.categories.insert(id, category);
            }
            for id in input.staff.clone() {
                let (name,): (String,) = sqlx::query_as("SELECT display_name FROM users WHERE id = ?1")
                    .bind(id)
                    .fetch_optional(self.read())
                    .await?
                    .unwrap_or_default();
                names.staff.insert(id, name);
            }
            let uses: Vec<(i64, u8)> = input
                .physical
                .iter()
                .flat_map(|p| p.deescalation.iter().chain(&p.physical))
                .copied()
                .collect();
            for (id, _) in uses {
                let (name,): (String,) = sqlx::query_as("SELECT name FROM techniques WHERE id = ?1")
                    .bind(id)
                    .fetch_optional(self.read())
                    .await?
                    .unwrap_or_default();
                names.techniques.insert(id, name);
            }
        }
        Ok(names)
    }

    /// Record that parents were told of incident `number` (visible to `viewer`): at, how.
    /// `Ok(None)` when it is not visible; `Ok(Some(occurred_at))` otherwise, before writing, so
    /// the caller can check the time (the caller writes through [`Tx::set_parents_informed`]).
    pub async fn visible_incident(&mut self, viewer: Viewer, number: i64) -> StoreResult<Option<(String, i64)>> {
        let query = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            " SELECT i.id, i.occurred_at FROM incidents i WHERE i.number = ?3 AND ",
            incident_visible!("i")
        ));
        bind_viewer(query, viewer)
            .bind(number)
            .fetch_optional(self.read())
            .await
    }

    /// Set the parents-informed record of incident `id`.
    pub async fn set_parents_informed(&mut self, id: &str, by: i64, at: i64, how: &str, now: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE incidents SET parents_informed_at = ?2, parents_informed_how = ?3, parents_informed_by = ?4,
                                  updated_at = ?5
             WHERE id = ?1",
        )
        .bind(id)
        .bind(at)
        .bind(how)
        .bind(by)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// Flag (with `reason`) or clear incident `id`; a new flag notifies the DSLs and the
    /// subjects' key staff who may see it (never the flagger). Answers how many were notified.
    pub async fn set_flag(&mut self, id: &str, by: i64, flagged: bool, reason: &str, now: i64) -> StoreResult<usize> {
        sqlx::query(
            "UPDATE incidents SET flagged = ?2, flag_reason = ?3,
                 flagged_by = CASE WHEN ?2 THEN ?4 END, flagged_at = CASE WHEN ?2 THEN ?5 END, updated_at = ?5
             WHERE id = ?1",
        )
        .bind(id)
        .bind(flagged)
        .bind(reason)
        .bind(by)
        .bind(now)
        .execute(self.write())
        .await?;
        if !flagged {
            return Ok(0);
        }
        let subjects: Vec<(i64,)> = sqlx::query_as(
            "SELECT individual_id FROM incident_individuals WHERE incident_id = ?1 AND role = 'subject'
             UNION SELECT individual_id FROM incidents WHERE id = ?1",
        )
        .bind(id)
        .fetch_all(self.read())
        .await?;
        let subjects: Vec<i64> = subjects.into_iter().map(|(id,)| id).collect();
        let dsls: Vec<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE role = 'dsl' AND active = 1 ORDER BY id")
            .fetch_all(self.read())
            .await?;
        let mut users: Vec<i64> = dsls.into_iter().map(|(id,)| id).collect();
        let mut seen: HashSet<i64> = users.iter().copied().collect();
        for user in self.key_staff_of(&subjects).await? {
            if seen.insert(user) && sees_all_of(self.read(), user, subjects.clone()).await? {
                users.push(user);
            }
        }
        let primary: (i64,) = sqlx::query_as("SELECT individual_id FROM incidents WHERE id = ?1")
            .bind(id)
            .fetch_one(self.read())
            .await?;
        Ok(self
            .notify(users, "incident_flagged", id, primary.0, by, now)
            .await?
            .len())
    }

    /// Add `author`'s account `account_id` to incident `id`: `Ok(true)` when written,
    /// `Ok(false)` when the same account was written before; `Err(())` when the id or the
    /// author's one account is already another text.
    pub async fn add_account(
        &mut self,
        id: &str,
        account_id: &str,
        author: i64,
        text: &str,
        now: i64,
    ) -> StoreResult<Result<bool, ()>> {
        let existing: Option<(String, i64, String)> = sqlx::query_as(
            "SELECT incident_id, author_id, text FROM incident_accounts WHERE id = ?1
             UNION ALL SELECT incident_id, author_id, '\u{1}' || id FROM incident_accounts
             WHERE incident_id = ?2 AND author_id = ?3 AND id <> ?1 LIMIT 1",
        )
        .bind(account_id)
        .bind(id)
        .bind(author)
        .fetch_optional(self.read())
        .await?;
        if let Some((incident, by, stored)) = existing {
            return Ok(if incident == id && by == author && stored == text {
                Ok(false)
            } else {
                Err(())
            });
        }
        sqlx::query(
            "INSERT INTO incident_accounts (id, incident_id, author_id, text, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(account_id)
        .bind(id)
        .bind(author)
        .bind(text)
        .bind(now)
        .execute(self.write())
        .await?;
        sqlx::query("UPDATE incidents SET updated_at = ?2 WHERE id = ?1")
            .bind(id)
            .bind(now)
            .execute(self.write())
            .await?;
        Ok(Ok(true))
    }

    /// Hide incident `id` (never erase it): who, when and why.
    pub async fn delete_incident(&mut self, id: &str, by: i64, reason: &str, now: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE incidents SET deleted_at = ?2, deleted_by = ?3, delete_reason = ?4 WHERE id = ?1 AND deleted_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .bind(by)
        .bind(reason)
        .execute(self.write())
        .await?;
        Ok(())
    }
}

/// What turns a report into the (field, shown value) pairs an edit compares.
pub type FieldsOf = fn(&IncidentInput, &DisplayNames) -> Vec<(String, String)>;

/// The names a report's ids are shown as in a revision.
#[derive(Debug, Clone, Default)]
pub struct DisplayNames {
    /// Location names.
    pub locations: HashMap<i64, String>,
    /// Category names.
    pub categories: HashMap<i64, String>,
    /// Staff names.
    pub staff: HashMap<i64, String>,
    /// Technique names.
    pub techniques: HashMap<i64, String>,
}

/// The stored form of individual field `ids`, for [`IncidentInput`] comparisons.
pub fn individual_field(ids: &[i64]) -> String {
    ids_text(ids)
}

/// The report an incident holds now, as an [`IncidentInput`] (to compare an edit with).
fn stored_input(detail: &IncidentDetail) -> IncidentInput {
    let row = &detail.row;
    let subjects: Vec<i64> = {
        let listed: Vec<i64> = detail
            .individuals
            .iter()
            .filter(|p| p.role == "subject")
            .map(|p| p.id)
            .collect();
        if listed.is_empty() {
            vec![row.individual_id]
        } else {
            listed
        }
    };
    let uses = |kind: &str| -> Vec<(i64, u8)> {
        detail
            .techniques
            .iter()
            .filter(|t| t.kind == kind)
            .map(|t| (t.technique_id, u8::try_from(t.effectiveness).unwrap_or(1)))
            .collect()
    };
    IncidentInput {
        id: row.id.clone(),
        kind: if row.kind == "physical_intervention" {
            "physical_intervention"
        } else {
            "incident"
        },
        subjects,
        others: detail
            .individuals
            .iter()
            .filter(|p| p.role == "involved")
            .map(|p| p.id)
            .collect(),
        occurred_at: row.occurred_at,
        location_id: row.location_id,
        category_id: Some(row.category_id),
        what_happened: row.what_happened.clone(),
        staff: detail.staff.iter().map(|s| s.0).collect(),
        injury: row.injury,
        injury_details: row.injury_details.clone(),
        pild: [
            row.pild_perspective.clone(),
            row.pild_feelings.clone(),
            row.pild_next_time.clone(),
            row.pild_triggers.clone(),
            row.pild_adjustments.clone(),
            row.pild_other_comments.clone(),
        ],
        discriminatory: row.discriminatory,
        discriminatory_details: row.discriminatory_details.clone(),
        exclusion: match row.exclusion.as_str() {
            "suspension" => "suspension",
            "permanent_exclusion" => "permanent_exclusion",
            _ => "none",
        },
        physical: (row.kind == "physical_intervention").then(|| PhysicalInput {
            started_at: row.pi_started_at.unwrap_or(row.occurred_at),
            ended_at: row.pi_ended_at.unwrap_or(row.occurred_at),
            texts: [
                row.pi_low_behaviours.clone(),
                row.pi_medium_behaviours.clone(),
                row.pi_high_behaviours.clone(),
                row.pi_staff_response.clone(),
                row.pi_alternative_responses.clone(),
            ],
            deescalation: uses("deescalation"),
            physical: uses("physical"),
        }),
        parents_informed: row.parents_informed_at.map(|at| (at, row.parents_informed_how.clone())),
        hash: String::new(),
    }
}
