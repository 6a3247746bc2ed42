//! A pupil's chronology: the incidents (not deleted, visible by the incident rule), clicks (not
//! undone) and communications about one individual in one timeline, newest first, read in one
//! statement through the one access rule of [`super::access`].
//!
//! The timeline is keyset-paged on (time, source, id): each part reads its own index on
//! (individual, time) backwards from the cursor and stops after a page, and the union of the
//! three is ordered and cut again, so a page costs three short index scans however long the
//! record is, and an entry recorded while someone pages (a new click) never moves another
//! across a page boundary.

use sqlx::FromRow;

use super::access::{bind_viewer, incident_visible, visible_individuals};
use super::{Store, StoreResult, Viewer};

/// Where an entry of the chronology comes from; the middle term of its order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChronologySource {
    /// A click of the Behaviour Clicker.
    Click,
    /// A Behaviour Communication.
    Communication,
    /// An incident report.
    Incident,
}

impl ChronologySource {
    /// As the store and the cursor write it (these sort in the order of [`ChronologySource`]).
    pub fn name(self) -> &'static str {
        match self {
            ChronologySource::Click => "click",
            ChronologySource::Communication => "communication",
            ChronologySource::Incident => "incident",
        }
    }

    /// The source written `name`, if any.
    pub fn from_name(name: &str) -> Option<ChronologySource> {
        [
            ChronologySource::Click,
            ChronologySource::Communication,
            ChronologySource::Incident,
        ]
        .into_iter()
        .find(|source| source.name() == name)
    }
}

/// Where a page of the chronology starts: just after (older than) this entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChronologyKey {
    /// The entry's time (unix seconds).
    pub at: i64,
    /// Its source.
    pub source: ChronologySource,
    /// Its id (the record's UUID).
    pub id: String,
}

/// One entry of the chronology, with the columns of its source (the others are `None`).
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ChronologyRow {
    /// When (an incident's or click's time, a communication's writing; unix seconds).
    pub at: i64,
    /// `click`, `communication` or `incident` ([`ChronologySource::name`]).
    pub source: String,
    /// The record's UUID.
    pub id: String,
    /// Who recorded it.
    pub by_id: i64,
    /// Their display name.
    pub by_name: String,
    /// Incidents: the reference number.
    pub number: Option<i64>,
    /// Incidents: `incident` or `physical_intervention`.
    pub kind: Option<String>,
    /// Incidents: the category's name.
    pub category: Option<String>,
    /// Incidents: the location's name.
    pub location: Option<String>,
    /// Incidents: flagged.
    pub flagged: Option<bool>,
    /// Clicks: the behaviour's name.
    pub behaviour: Option<String>,
    /// Communications: `positive`, `negative` or `na`.
    pub tone: Option<String>,
    /// Communications: the message.
    pub message: Option<String>,
}

impl ChronologyRow {
    /// The key of this entry, for the cursor of the page after it (`None` for a source the
    /// store does not write).
    pub fn key(&self) -> Option<ChronologyKey> {
        Some(ChronologyKey {
            at: self.at,
            source: ChronologySource::from_name(&self.source)?,
            id: self.id.clone(),
        })
    }
}

/// The part of the page condition after "at most the cursor's time" for a source `$s`, time
/// column `$at` and id column `$id`: strictly older than the cursor (`?4` time, `?5` source,
/// `?6` id) in the order (time, source, id), then newest first, `?7` rows.
macro_rules! older_than_cursor {
    ($s:literal, $at:literal, $id:literal) => {
        concat!(
            " AND ",
            $at,
            " <= ?4 AND (",
            $at,
            " < ?4 OR '",
            $s,
            "' < ?5 OR ('",
            $s,
            "' = ?5 AND ",
            $id,
            " < ?6))
              ORDER BY ",
            $at,
            " DESC, ",
            $id,
            " DESC
              LIMIT ?7"
        )
    };
}

impl Store {
    /// At most `limit` entries of the chronology of individual `id`, newest first, after
    /// `after` (the last entry of the page before), for `viewer`, who may see the individual
    /// (the caller checks; every part checks again). An incident is in it when the individual is
    /// its primary individual or one of its subjects, and `viewer` may see it
    /// ([`incident_visible!`]).
    pub async fn chronology(
        &self,
        viewer: Viewer,
        id: i64,
        after: Option<&ChronologyKey>,
        limit: i64,
    ) -> StoreResult<Vec<ChronologyRow>> {
        let query = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            " SELECT at, source, id, by_id, by_name, number, kind, category, location, flagged, behaviour, tone, message
              FROM (
                SELECT * FROM (
                  SELECT i.occurred_at AS at, 'incident' AS source, i.id, i.reported_by AS by_id,
                         u.display_name AS by_name, i.number, i.kind, c.name AS category, l.name AS location,
                         i.flagged, NULL AS behaviour, NULL AS tone, NULL AS message
                    FROM incidents i
                    JOIN users u ON u.id = i.reported_by
                    JOIN incident_categories c ON c.id = i.category_id
                    JOIN locations l ON l.id = i.location_id
                   WHERE (i.individual_id = ?3
                          OR i.id IN (SELECT incident_id FROM incident_individuals
                                       WHERE individual_id = ?3 AND role = 'subject'))
                     AND ",
            incident_visible!("i"),
            older_than_cursor!("incident", "i.occurred_at", "i.id"),
            ")
                UNION ALL
                SELECT * FROM (
                  SELECT k.occurred_at AS at, 'click' AS source, k.id, k.user_id AS by_id,
                         u.display_name AS by_name, NULL AS number, NULL AS kind, NULL AS category,
                         NULL AS location, NULL AS flagged, b.name AS behaviour, NULL AS tone, NULL AS message
                    FROM clicks k
                    JOIN users u ON u.id = k.user_id
                    JOIN behaviours b ON b.id = k.behaviour_id
                   WHERE k.individual_id = ?3 AND k.deleted_at IS NULL
                     AND k.individual_id IN (SELECT individual_id FROM visible)",
            older_than_cursor!("click", "k.occurred_at", "k.id"),
            ")
                UNION ALL
                SELECT * FROM (
                  SELECT m.created_at AS at, 'communication' AS source, m.id, m.author_id AS by_id,
                         u.display_name AS by_name, NULL AS number, NULL AS kind, NULL AS category,
                         NULL AS location, NULL AS flagged, NULL AS behaviour, m.sentiment AS tone,
                         m.message
                    FROM communications m
                    JOIN users u ON u.id = m.author_id
                   WHERE m.individual_id = ?3
                     AND m.individual_id IN (SELECT individual_id FROM visible)",
            older_than_cursor!("communication", "m.created_at", "m.id"),
            "))
              ORDER BY at DESC, source DESC, id DESC
              LIMIT ?7"
        ));
        let (at, source, after_id) = match after {
            Some(key) => (key.at, key.source.name(), key.id.as_str()),
            None => (i64::MAX, "", ""),
        };
        bind_viewer(query, viewer)
            .bind(id)
            .bind(at)
            .bind(source)
            .bind(after_id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
    }
}
