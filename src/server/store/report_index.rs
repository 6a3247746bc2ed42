//! The report index: the few columns of every record a report counts (each click, incident and
//! communication, and each individual's name), held in memory and kept in step with the
//! database, so a report over a year of a trust's million clicks is counted in milliseconds.
//!
//! Why not SQL: a report counts every record of its period for everyone the viewer may see, by
//! individual, by staff, by hour; SQLite's best plan for one count per individual over a year
//! of a million clicks reads the whole of a covering index, 370 ms on this machine, and a
//! report needs several such counts. The same counts over these columns in memory take a few
//! milliseconds. SQL still decides who may see what (the access rule, per request) and lists
//! the incidents behind a row.
//!
//! Never behind the database: migration 0013's triggers log every insert, update and delete of
//! a counted row in `report_changes`, in the writing transaction itself, whatever wrote it (the
//! clicker's writer, an edit, an undo, the retention rule, another process). Before each report
//! [`ReportIndex::current`] reads, inside one read transaction (one snapshot), the changes
//! after the last one it applied and the rows they name as they are now, so the index holds
//! exactly the committed state of that snapshot. The log is emptied from time to time
//! ([`ReportIndex::prune`]); an index that had not seen every change emptied, or a database
//! whose log is behind the index (a restored copy), is loaded again whole.

use futures::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::{AssertSqlSafe, SqliteConnection, SqlitePool};
use tokio::sync::{MappedMutexGuard, Mutex, MutexGuard};

use super::StoreResult;
use super::access::pupil_name;

/// A hash map with a fast hasher (the keys are the database's own ids, not an attacker's).
pub(super) type FastMap<K, V> = foldhash::HashMap<K, V>;
/// A hash set with a fast hasher.
pub(super) type FastSet<T> = foldhash::HashSet<T>;

/// A record's id as a number: its UUID, or for an id that is not one the first 16 bytes of its
/// SHA-256 (every id the server writes is a UUID; this only keeps the index total).
type Key = u128;

/// The key of record id `id`.
fn key(id: &str) -> Key {
    match uuid::Uuid::parse_str(id) {
        Ok(uuid) => uuid.as_u128(),
        Err(_) => {
            let digest = Sha256::digest(id.as_bytes());
            let mut first = [0u8; 16];
            first.copy_from_slice(&digest[..16]);
            u128::from_be_bytes(first)
        }
    }
}

/// A click that was not undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Click {
    /// When it happened (unix seconds).
    pub at: i64,
    /// Whose behaviour.
    pub individual: i64,
    /// Which behaviour.
    pub behaviour: i64,
    /// Who clicked.
    pub user: i64,
}

/// An incident that is not deleted, with its people, staff and techniques.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Incident {
    /// When it happened (unix seconds).
    pub at: i64,
    /// Its category.
    pub category: i64,
    /// Where.
    pub location: i64,
    /// Its primary individual.
    pub individual: i64,
    /// Who reported it.
    pub reported_by: i64,
    /// A physical intervention.
    pub physical: bool,
    /// Someone was hurt.
    pub injury: bool,
    /// Marked discriminatory or prejudiced.
    pub discriminatory: bool,
    /// Every individual it is about (`subject`), which the viewer must all see.
    pub subjects: Vec<i64>,
    /// Everyone else named in it, of either role (not the primary individual).
    pub others: Vec<i64>,
    /// Staff present (not the reporter).
    pub staff: Vec<i64>,
    /// Techniques used, with their effectiveness (1 to 5).
    pub techniques: Vec<(i64, i64)>,
}

/// How a communication reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sentiment {
    /// Positive.
    Positive,
    /// Negative.
    Negative,
    /// Neither (N/A).
    Neither,
}

/// A communication to key staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Communication {
    /// When it was written (unix seconds).
    pub at: i64,
    /// About whom.
    pub individual: i64,
    /// Who wrote it.
    pub author: i64,
    /// How it reads.
    pub sentiment: Sentiment,
}

/// Records by key, stored densely for scanning.
#[derive(Debug)]
pub(super) struct Rows<T> {
    rows: Vec<(Key, T)>,
    slots: FastMap<Key, usize>,
}

impl<T> Default for Rows<T> {
    fn default() -> Self {
        Rows {
            rows: Vec::new(),
            slots: FastMap::default(),
        }
    }
}

impl<T> Rows<T> {
    /// Every record, in no order.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.rows.iter().map(|(_, row)| row)
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Put `row` as the record `key` (replacing it).
    fn put(&mut self, key: Key, row: T) {
        match self.slots.get(&key) {
            Some(&slot) => self.rows[slot].1 = row,
            None => {
                self.slots.insert(key, self.rows.len());
                self.rows.push((key, row));
            }
        }
    }

    /// Remove the record `key`, if held.
    fn remove(&mut self, key: Key) {
        if let Some(slot) = self.slots.remove(&key) {
            self.rows.swap_remove(slot);
            if let Some((moved, _)) = self.rows.get(slot) {
                self.slots.insert(*moved, slot);
            }
        }
    }
}

/// What the index holds: every counted record as of change `seen`.
#[derive(Debug, Default)]
pub(super) struct Facts {
    /// The last change applied.
    seen: i64,
    /// The log's `through` when last read (what pruning has already emptied).
    pruned: i64,
    /// Clicks not undone.
    pub clicks: Rows<Click>,
    /// Incidents not deleted.
    pub incidents: Rows<Incident>,
    /// Communications.
    pub communications: Rows<Communication>,
    /// Each individual's name, as lists show it.
    pub names: FastMap<i64, String>,
}

/// The in-memory index of one store (shared by its clones).
#[derive(Debug, Default)]
pub(super) struct ReportIndex {
    facts: Mutex<Option<Facts>>,
}

/// Changes waiting in the log before [`ReportIndex::prune`] empties it.
const PRUNE_AFTER: i64 = 10_000;

impl ReportIndex {
    /// The facts as committed now: loaded whole the first time, then brought up to date with
    /// the changes committed since. Held until the guard is dropped.
    pub async fn current(&self, pool: &SqlitePool) -> StoreResult<MappedMutexGuard<'_, Facts>> {
        let mut held = self.facts.lock().await;
        let mut tx = pool.begin().await?;
        let (through, newest): (i64, Option<i64>) =
            sqlx::query_as("SELECT through, (SELECT MAX(seq) FROM report_changes) FROM report_changes_pruned")
                .fetch_one(&mut *tx)
                .await?;
        let latest = newest.unwrap_or(0).max(through);
        match held.as_mut() {
            Some(facts) if through <= facts.seen && latest >= facts.seen => {
                if latest > facts.seen {
                    facts.apply_changes(&mut tx, latest).await?;
                }
                facts.pruned = through;
            }
            _ => {
                let mut facts = Facts::load(&mut tx).await?;
                facts.seen = latest;
                facts.pruned = through;
                *held = Some(facts);
            }
        }
        tx.rollback().await?;
        Ok(MutexGuard::map(held, |held| held.get_or_insert_with(Facts::default)))
    }

    /// Empty the log up to the last change this index applied, once that is more than
    /// [`PRUNE_AFTER`] changes; the server's checkpointer calls it (a write, under the store's
    /// writer lock). Another process's index that had not seen them all loads again.
    pub async fn prune(&self, pool: &SqlitePool, writer: &Mutex<()>) -> StoreResult<()> {
        let seen = match self.facts.lock().await.as_ref() {
            Some(facts) if facts.seen - facts.pruned > PRUNE_AFTER => facts.seen,
            _ => return Ok(()),
        };
        let _turn = writer.lock().await;
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        prune_through(&mut tx, seen).await?;
        tx.commit().await?;
        if let Some(facts) = self.facts.lock().await.as_mut() {
            facts.pruned = facts.pruned.max(seen);
        }
        Ok(())
    }
}

/// Empty the change log up to change `seq` and say so (inside a write transaction).
pub(super) async fn prune_through(tx: &mut SqliteConnection, seq: i64) -> StoreResult<()> {
    sqlx::query("DELETE FROM report_changes WHERE seq <= ?1")
        .bind(seq)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE report_changes_pruned SET through = MAX(through, ?1)")
        .bind(seq)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// The ids of the rows changed, by kind.
#[derive(Debug, Default)]
struct Changed {
    clicks: Vec<String>,
    incidents: Vec<String>,
    communications: Vec<String>,
    individuals: Vec<i64>,
}

/// `ids` as a JSON array.
fn json<T: serde::Serialize>(ids: &[T]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_string())
}

impl Facts {
    /// Everything, read in `tx`'s snapshot.
    async fn load(tx: &mut SqliteConnection) -> StoreResult<Facts> {
        let mut facts = Facts::default();
        facts.put_clicks(tx, None).await?;
        facts.put_incidents(tx, None).await?;
        facts.put_communications(tx, None).await?;
        facts.put_names(tx, None).await?;
        tracing::info!(
            clicks = facts.clicks.len(),
            incidents = facts.incidents.len(),
            communications = facts.communications.len(),
            individuals = facts.names.len(),
            "report index loaded"
        );
        Ok(facts)
    }

    /// Apply the changes after `seen` up to `latest`, read in `tx`'s snapshot: every row they
    /// name is dropped and read again as it is now (a deleted one is not found, so stays out).
    async fn apply_changes(&mut self, tx: &mut SqliteConnection, latest: i64) -> StoreResult<()> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT DISTINCT kind, CAST(row_id AS TEXT) FROM report_changes
              WHERE seq > ?1 AND seq <= ?2 AND row_id IS NOT NULL",
        )
        .bind(self.seen)
        .bind(latest)
        .fetch_all(&mut *tx)
        .await?;
        let mut changed = Changed::default();
        for (kind, id) in rows {
            match kind {
                1 => changed.clicks.push(id),
                2 => changed.incidents.push(id),
                3 => changed.communications.push(id),
                4 => changed.individuals.extend(id.parse::<i64>()),
                _ => {}
            }
        }
        if !changed.clicks.is_empty() {
            changed.clicks.iter().for_each(|id| self.clicks.remove(key(id)));
            self.put_clicks(tx, Some(json(&changed.clicks))).await?;
        }
        if !changed.incidents.is_empty() {
            changed.incidents.iter().for_each(|id| self.incidents.remove(key(id)));
            self.put_incidents(tx, Some(json(&changed.incidents))).await?;
        }
        if !changed.communications.is_empty() {
            changed
                .communications
                .iter()
                .for_each(|id| self.communications.remove(key(id)));
            self.put_communications(tx, Some(json(&changed.communications))).await?;
        }
        if !changed.individuals.is_empty() {
            changed.individuals.iter().for_each(|id| {
                self.names.remove(id);
            });
            self.put_names(tx, Some(json(&changed.individuals))).await?;
        }
        self.seen = latest;
        Ok(())
    }

    /// Read the clicks (all, or those of the JSON array `ids`) that are not undone.
    async fn put_clicks(&mut self, tx: &mut SqliteConnection, ids: Option<String>) -> StoreResult<()> {
        let mut rows = sqlx::query_as::<_, (String, i64, i64, i64, i64)>(
            "SELECT id, occurred_at, individual_id, behaviour_id, user_id FROM clicks
              WHERE deleted_at IS NULL AND (?1 IS NULL OR id IN (SELECT value FROM json_each(?1)))",
        )
        .bind(ids)
        .fetch(&mut *tx);
        while let Some((id, at, individual, behaviour, user)) = rows.try_next().await? {
            let click = Click {
                at,
                individual,
                behaviour,
                user,
            };
            self.clicks.put(key(&id), click);
        }
        Ok(())
    }

    /// Read the incidents (all, or those of `ids`) that are not deleted, with their people,
    /// staff and techniques.
    async fn put_incidents(&mut self, tx: &mut SqliteConnection, ids: Option<String>) -> StoreResult<()> {
        type IncidentColumns = (String, i64, i64, i64, i64, i64, bool, bool, bool);
        let found: Vec<IncidentColumns> = sqlx::query_as(
            "SELECT id, occurred_at, category_id, location_id, individual_id, reported_by,
                    kind = 'physical_intervention', injury, discriminatory
               FROM incidents
              WHERE deleted_at IS NULL AND (?1 IS NULL OR id IN (SELECT value FROM json_each(?1)))",
        )
        .bind(&ids)
        .fetch_all(&mut *tx)
        .await?;
        let mut incidents: FastMap<Key, Incident> = FastMap::default();
        for (id, at, category, location, individual, reported_by, physical, injury, discriminatory) in found {
            let incident = Incident {
                at,
                category,
                location,
                individual,
                reported_by,
                physical,
                injury,
                discriminatory,
                subjects: Vec::new(),
                others: Vec::new(),
                staff: Vec::new(),
                techniques: Vec::new(),
            };
            incidents.insert(key(&id), incident);
        }
        let people: Vec<(String, i64, bool)> = sqlx::query_as(AssertSqlSafe(links(
            "SELECT incident_id, individual_id, role = 'subject' FROM incident_individuals",
        )))
        .bind(&ids)
        .fetch_all(&mut *tx)
        .await?;
        for (id, who, subject) in people {
            if let Some(incident) = incidents.get_mut(&key(&id)) {
                if subject {
                    incident.subjects.push(who);
                }
                if who != incident.individual {
                    incident.others.push(who);
                }
            }
        }
        let staff: Vec<(String, i64)> =
            sqlx::query_as(AssertSqlSafe(links("SELECT incident_id, user_id FROM incident_staff")))
                .bind(&ids)
                .fetch_all(&mut *tx)
                .await?;
        for (id, user) in staff {
            if let Some(incident) = incidents.get_mut(&key(&id))
                && user != incident.reported_by
            {
                incident.staff.push(user);
            }
        }
        let techniques: Vec<(String, i64, i64)> = sqlx::query_as(AssertSqlSafe(links(
            "SELECT incident_id, technique_id, effectiveness FROM incident_techniques",
        )))
        .bind(&ids)
        .fetch_all(&mut *tx)
        .await?;
        for (id, technique, effectiveness) in techniques {
            if let Some(incident) = incidents.get_mut(&key(&id)) {
                incident.techniques.push((technique, effectiveness));
            }
        }
        for (key, incident) in incidents {
            self.incidents.put(key, incident);
        }
        Ok(())
    }

    /// Read the communications (all, or those of `ids`).
    async fn put_communications(&mut self, tx: &mut SqliteConnection, ids: Option<String>) -> StoreResult<()> {
        let found: Vec<(String, i64, i64, i64, String)> = sqlx::query_as(
            "SELECT id, created_at, individual_id, author_id, sentiment FROM communications
              WHERE ?1 IS NULL OR id IN (SELECT value FROM json_each(?1))",
        )
        .bind(ids)
        .fetch_all(&mut *tx)
        .await?;
        for (id, at, individual, author, sentiment) in found {
            let sentiment = match sentiment.as_str() {
                "positive" => Sentiment::Positive,
                "negative" => Sentiment::Negative,
                _ => Sentiment::Neither,
            };
            let communication = Communication {
                at,
                individual,
                author,
                sentiment,
            };
            self.communications.put(key(&id), communication);
        }
        Ok(())
    }

    /// Read the names of the individuals (all, or those of `ids`).
    async fn put_names(&mut self, tx: &mut SqliteConnection, ids: Option<String>) -> StoreResult<()> {
        let sql = concat!(
            "SELECT p.id, ",
            pupil_name!("p"),
            " FROM individuals p WHERE ?1 IS NULL OR p.id IN (SELECT value FROM json_each(?1))"
        );
        let found: Vec<(i64, String)> = sqlx::query_as(sql).bind(ids).fetch_all(&mut *tx).await?;
        self.names.extend(found);
        Ok(())
    }
}

/// `select` (of a table keyed by `incident_id`) for every incident, or those of `?1`.
fn links(select: &str) -> String {
    format!("{select} WHERE ?1 IS NULL OR incident_id IN (SELECT value FROM json_each(?1))")
}
