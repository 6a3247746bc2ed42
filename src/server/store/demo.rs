//! Seeding the demo data in one transaction with multi-row inserts.

use super::super::demo::DemoData;
use super::{Store, StoreResult};

/// A query being built for SQLite.
type SqliteQuery<'q> = sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments>;

/// Insert many rows with multi-row `INSERT … VALUES (…), (…)` statements of up to 100 rows
/// (one prepared statement per batch size instead of one round trip per row). `head` and `row`
/// are constants of the caller; only `?` placeholders carry values.
async fn insert_rows<T>(
    conn: &mut sqlx::SqliteConnection,
    head: &'static str,
    row: &'static str,
    rows: &[T],
    bind: for<'q> fn(SqliteQuery<'q>, &'q T) -> SqliteQuery<'q>,
) -> StoreResult<()> {
    const ROWS_PER_STATEMENT: usize = 100;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = format!("{head}{}", vec![row; chunk.len()].join(", "));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for item in chunk {
            query = bind(query, item);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

impl Store {
    /// Insert the demo data in one transaction with prepared (cached) statements.
    pub async fn seed_demo(&self, data: &DemoData) -> StoreResult<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let s = &data.setting;
        sqlx::query(
            "INSERT INTO setting (id, name, incident_prefix, next_incident_number, require_2fa_for_all,
                                  support_email, support_phone, support_url, demo)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1)",
        )
        .bind(&s.id)
        .bind(&s.name)
        .bind(&s.incident_prefix)
        .bind(s.next_incident_number)
        .bind(s.require_2fa_for_all)
        .bind(&s.support_email)
        .bind(&s.support_phone)
        .bind(&s.support_url)
        .execute(&mut *tx)
        .await?;
        for u in &data.users {
            sqlx::query(
                "INSERT INTO users (id, email, display_name, job_title, role, password_hash, password_is_temporary,
                                    temporary_expires_at, password_changed_at, totp_secret_sealed, created_at,
                                    kind, expires_at, failed_attempts, locked_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?9, ?11, ?12, ?13, ?14)",
            )
            .bind(u.id)
            .bind(&u.email)
            .bind(&u.display_name)
            .bind(u.job_title)
            .bind(u.role)
            .bind(&u.password_hash)
            .bind(u.temporary_expires_at.is_some())
            .bind(u.temporary_expires_at)
            .bind(u.created_at)
            .bind(u.totp_sealed.as_deref())
            .bind(u.kind)
            .bind(u.expires_at)
            .bind(if u.locked { 6 } else { 0 })
            .bind(u.locked.then_some(u.last_seen_at.unwrap_or(u.created_at)))
            .execute(&mut *tx)
            .await?;
            if let Some(seen) = u.last_seen_at {
                // A signed-out session (its token hash a marker no token can have).
                sqlx::query(
                    "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, authenticated_at,
                                           revoked_at, revoked_reason, user_agent)
                     VALUES (?1, ?2, ?3, ?4, ?3 + 28800, ?3, ?4, 'logout', 'bsmart/demo')",
                )
                .bind(format!("demo-signed-out-{}", u.id))
                .bind(u.id)
                .bind(seen - 1800)
                .bind(seen)
                .execute(&mut *tx)
                .await?;
            }
        }
        for (user_id, scope, name, granted_at) in &data.access_groups {
            sqlx::query(
                "INSERT INTO access_groups (user_id, scope, name, granted_by, granted_at) VALUES (?1, ?2, ?3, 1, ?4)",
            )
            .bind(user_id)
            .bind(scope)
            .bind(name)
            .bind(granted_at)
            .execute(&mut *tx)
            .await?;
        }
        for p in &data.individuals {
            sqlx::query(
                "INSERT INTO individuals (id, first_name, last_name, preferred_name, date_of_birth, year_group,
                                          group_name, sen_status, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .bind(p.id)
            .bind(&p.first_name)
            .bind(&p.last_name)
            .bind(&p.preferred_name)
            .bind(&p.date_of_birth)
            .bind(&p.year_group)
            .bind(&p.group_name)
            .bind(&p.sen_status)
            .bind(p.created_at)
            .execute(&mut *tx)
            .await?;
        }
        insert_rows(
            &mut tx,
            "INSERT INTO key_contacts (individual_id, name, relationship, phone, email, priority) VALUES ",
            "(?, ?, ?, ?, ?, ?)",
            &data.key_contacts,
            |q, c| {
                q.bind(c.individual_id)
                    .bind(&c.name)
                    .bind(c.relationship)
                    .bind(&c.phone)
                    .bind(&c.email)
                    .bind(c.priority)
            },
        )
        .await?;
        insert_rows(
            &mut tx,
            "INSERT INTO access_permissions (user_id, individual_id, level, granted_by, granted_at) VALUES ",
            "(?, ?, ?, ?, ?)",
            &data.access,
            |q, a| {
                q.bind(a.user_id)
                    .bind(a.individual_id)
                    .bind(a.level)
                    .bind(a.granted_by)
                    .bind(a.granted_at)
            },
        )
        .await?;
        for (id, name) in &data.locations {
            sqlx::query("INSERT INTO locations (id, name) VALUES (?1, ?2)")
                .bind(id)
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
        for b in &data.behaviours {
            sqlx::query("INSERT INTO behaviours (id, name, sentiment, position) VALUES (?1, ?2, ?3, ?4)")
                .bind(b.id)
                .bind(b.name)
                .bind(b.sentiment)
                .bind(b.position)
                .execute(&mut *tx)
                .await?;
        }
        for (id, name) in &data.categories {
            sqlx::query("INSERT INTO incident_categories (id, name) VALUES (?1, ?2)")
                .bind(id)
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
        for i in &data.incidents {
            sqlx::query(
                "INSERT INTO incidents (id, number, kind, individual_id, category_id, location_id, occurred_at,
                    reported_by, what_happened, injury, injury_details, pild_perspective, pild_feelings,
                    pild_next_time, pild_triggers, pild_adjustments, pild_other_comments, discriminatory,
                    discriminatory_details, exclusion, pi_low_behaviours, pi_medium_behaviours, pi_high_behaviours,
                    pi_staff_response, pi_alternative_responses, pi_deescalation_effect, pi_physical_effect,
                    parents_informed_at, parents_informed_by, flagged, flag_reason, created_at, updated_at,
                    retain_until, parents_informed_how)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
                         ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?32, ?33, ?34)",
            )
            .bind(&i.id)
            .bind(i.number)
            .bind(i.kind)
            .bind(i.individual_id)
            .bind(i.category_id)
            .bind(i.location_id)
            .bind(i.occurred_at)
            .bind(i.reported_by)
            .bind(&i.what_happened)
            .bind(i.injury_details.is_some())
            .bind(i.injury_details.unwrap_or(""))
            .bind(i.pild[0])
            .bind(i.pild[1])
            .bind(i.pild[2])
            .bind(i.pild[3])
            .bind(i.pild[4])
            .bind(i.pild[5])
            .bind(i.discriminatory_details.is_some())
            .bind(i.discriminatory_details.unwrap_or(""))
            .bind(i.exclusion)
            .bind(i.physical.as_ref().map_or("", |p| p.low))
            .bind(i.physical.as_ref().map_or("", |p| p.medium))
            .bind(i.physical.as_ref().map_or("", |p| p.high))
            .bind(i.physical.as_ref().map_or("", |p| p.staff_response))
            .bind(i.physical.as_ref().map_or("", |p| p.alternatives))
            .bind(i.physical.as_ref().map(|p| p.deescalation_effect))
            .bind(i.physical.as_ref().map(|p| p.physical_effect))
            .bind(i.parents_informed.map(|(at, _)| at))
            .bind(i.parents_informed.map(|(_, by)| by))
            .bind(i.flag_reason.is_some())
            .bind(i.flag_reason.unwrap_or(""))
            .bind(i.created_at)
            .bind(i.retain_until)
            .bind(i.parents_told_how)
            .execute(&mut *tx)
            .await?;
        }
        // Every report is about its primary individual (the access rule reads these rows).
        sqlx::query(
            "INSERT INTO incident_individuals (incident_id, individual_id, role)
             SELECT id, individual_id, 'subject' FROM incidents",
        )
        .execute(&mut *tx)
        .await?;
        for (position, (kind, name)) in super::super::demo::TECHNIQUES.iter().enumerate() {
            sqlx::query("INSERT INTO techniques (kind, name, position) VALUES (?1, ?2, ?3)")
                .bind(kind)
                .bind(name)
                .bind(position as i64)
                .execute(&mut *tx)
                .await?;
        }
        // Each physical intervention used one de-escalation and one physical technique, which
        // worked as well as its page says (the Intervention report counts these rows).
        sqlx::query(
            "WITH ranked AS (
                 SELECT id, kind, ROW_NUMBER() OVER (PARTITION BY kind ORDER BY position) - 1 AS n,
                        COUNT(*) OVER (PARTITION BY kind) AS total
                   FROM techniques)
             INSERT INTO incident_techniques (incident_id, technique_id, effectiveness)
             SELECT i.id, t.id, CASE t.kind WHEN 'deescalation' THEN i.pi_deescalation_effect ELSE i.pi_physical_effect END
               FROM incidents i JOIN ranked t ON t.n = (i.number * 7 + length(t.kind)) % t.total
              WHERE i.kind = 'physical_intervention'
                AND i.pi_deescalation_effect IS NOT NULL AND i.pi_physical_effect IS NOT NULL",
        )
        .execute(&mut *tx)
        .await?;
        for (incident, individual) in &data.incident_individuals {
            sqlx::query("INSERT INTO incident_individuals (incident_id, individual_id) VALUES (?1, ?2)")
                .bind(incident)
                .bind(individual)
                .execute(&mut *tx)
                .await?;
        }
        insert_rows(
            &mut tx,
            "INSERT INTO incident_staff (incident_id, user_id) VALUES ",
            "(?, ?)",
            &data.incident_staff,
            |q, (incident, user)| q.bind(incident).bind(user),
        )
        .await?;
        insert_rows(
            &mut tx,
            "INSERT INTO clicks (id, individual_id, behaviour_id, user_id, occurred_at, recorded_at) VALUES ",
            "(?, ?, ?, ?, ?, ?)",
            &data.clicks,
            |q, c| {
                q.bind(&c.id)
                    .bind(c.individual_id)
                    .bind(c.behaviour_id)
                    .bind(c.user_id)
                    .bind(c.occurred_at)
                    .bind(c.occurred_at)
            },
        )
        .await?;
        for c in &data.communications {
            sqlx::query(
                "INSERT INTO communications (id, individual_id, author_id, sentiment, message, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .bind(&c.id)
            .bind(c.individual_id)
            .bind(c.author_id)
            .bind(c.sentiment)
            .bind(&c.message)
            .bind(c.created_at)
            .execute(&mut *tx)
            .await?;
            for user in &c.recipients {
                sqlx::query("INSERT INTO communication_recipients (communication_id, user_id) VALUES (?1, ?2)")
                    .bind(&c.id)
                    .bind(user)
                    .execute(&mut *tx)
                    .await?;
            }
            for r in &c.responses {
                sqlx::query(
                    "INSERT INTO communication_responses (id, communication_id, author_id, message, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .bind(&r.id)
                .bind(&c.id)
                .bind(r.author_id)
                .bind(r.message)
                .bind(r.created_at)
                .execute(&mut *tx)
                .await?;
            }
        }
        for p in &data.plans {
            sqlx::query(
                "INSERT INTO smart_plans (id, individual_id, title, strategies, reasonable_adjustments,
                    agreed_responses, follow_up, source_incident_id, review_on, created_by, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
            )
            .bind(&p.id)
            .bind(p.individual_id)
            .bind(&p.title)
            .bind(p.strategies)
            .bind(p.adjustments)
            .bind(p.agreed_responses)
            .bind(p.follow_up)
            .bind(p.source_incident_id.as_deref())
            .bind(&p.review_on)
            .bind(p.created_by)
            .bind(p.created_at)
            .execute(&mut *tx)
            .await?;
        }
        insert_rows(
            &mut tx,
            "INSERT INTO bell_times (number, name, starts_minute, ends_minute) VALUES ",
            "(?, ?, ?, ?)",
            &data.bell_times,
            |q, (number, name, starts, ends)| q.bind(number).bind(*name).bind(starts).bind(ends),
        )
        .await?;
        insert_rows(
            &mut tx,
            "INSERT INTO key_staff (individual_id, user_id) VALUES ",
            "(?, ?)",
            &data.key_staff,
            |q, (individual, user)| q.bind(individual).bind(user),
        )
        .await?;
        for n in &data.notifications {
            sqlx::query(
                "INSERT INTO notifications (user_id, kind, individual_id, actor_id, incident_id, communication_id,
                                            plan_id, created_at, read_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .bind(n.user_id)
            .bind(n.kind)
            .bind(n.individual_id)
            .bind(n.actor_id)
            .bind(n.incident_id.as_deref())
            .bind(n.communication_id.as_deref())
            .bind(n.plan_id.as_deref())
            .bind(n.created_at)
            .bind(n.read_at)
            .execute(&mut *tx)
            .await?;
        }
        // A new database's report index loads everything anyway: its change log need not
        // keep a row for each of a million demo clicks.
        let (latest,): (Option<i64>,) = sqlx::query_as("SELECT MAX(seq) FROM report_changes")
            .fetch_one(&mut *tx)
            .await?;
        super::report_index::prune_through(&mut tx, latest.unwrap_or(0)).await?;
        tx.commit().await
    }
}
