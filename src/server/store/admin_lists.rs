//! The setting's lists as the admin edits them: behaviours, locations and incident categories
//! (ordered by `position`, retired with `active = 0` and never deleted, so the records that name
//! an entry keep its name), and the bell times.
//!
//! Positions are kept numbered 1..n: every change that places an entry renumbers the whole
//! list inside its write transaction, so parallel moves (which take turns on the write lock)
//! never leave two entries at one place.

use sqlx::{AssertSqlSafe, FromRow};

use super::{BellRow, Store, StoreResult, Tx};

/// One of the setting's ordered lists, and the table behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListTable {
    /// `behaviours` (with a sentiment; used by clicks).
    Behaviours,
    /// `locations` (used by incidents).
    Locations,
    /// `incident_categories` (used by incidents).
    IncidentCategories,
}

impl ListTable {
    /// The table's name.
    fn table(self) -> &'static str {
        match self {
            ListTable::Behaviours => "behaviours",
            ListTable::Locations => "locations",
            ListTable::IncidentCategories => "incident_categories",
        }
    }

    /// The records that use entry `e.id`, counted.
    fn uses(self) -> &'static str {
        match self {
            ListTable::Behaviours => "(SELECT COUNT(*) FROM clicks r WHERE r.behaviour_id = e.id)",
            ListTable::Locations => "(SELECT COUNT(*) FROM incidents r WHERE r.location_id = e.id)",
            ListTable::IncidentCategories => "(SELECT COUNT(*) FROM incidents r WHERE r.category_id = e.id)",
        }
    }

    /// The sentiment column (`NULL` for lists without one).
    fn sentiment(self) -> &'static str {
        match self {
            ListTable::Behaviours => "e.sentiment",
            _ => "NULL",
        }
    }
}

/// One entry of a list, retired ones included.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct EntryRow {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// `positive`, `negative` or `neutral` (behaviours only).
    pub sentiment: Option<String>,
    /// Place, 1 first.
    pub position: i64,
    /// Still offered.
    pub active: bool,
    /// Records that use it.
    pub uses: i64,
}

/// A new entry or a change to one, checked by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryInput<'a> {
    /// Name.
    pub name: &'a str,
    /// Sentiment (behaviours only).
    pub sentiment: Option<&'a str>,
    /// New place (1 first); none: stays, or last when new.
    pub position: Option<i64>,
    /// Still offered.
    pub active: bool,
}

/// Why an entry was not written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryRefused {
    /// No such entry.
    NotFound,
    /// Another entry has this name (any case): its name.
    Clash(String),
}

/// The query of a list's entries (`?1`: one id, or `NULL` for all), in order.
fn entries_sql(list: ListTable) -> String {
    format!(
        "SELECT e.id, e.name, {} AS sentiment, e.position, e.active, {} AS uses FROM {} e
         WHERE ?1 IS NULL OR e.id = ?1 ORDER BY e.position, e.id",
        list.sentiment(),
        list.uses(),
        list.table()
    )
}

impl Store {
    /// Every entry of `list`, retired ones included, in order.
    pub async fn list_entries(&self, list: ListTable) -> StoreResult<Vec<EntryRow>> {
        sqlx::query_as(AssertSqlSafe(entries_sql(list)))
            .bind(None::<i64>)
            .fetch_all(&self.pool)
            .await
    }
}

impl Tx {
    /// Entry `id` of `list`, as this transaction sees it.
    pub async fn list_entry(&mut self, list: ListTable, id: i64) -> StoreResult<Option<EntryRow>> {
        sqlx::query_as(AssertSqlSafe(entries_sql(list)))
            .bind(id)
            .fetch_optional(self.read())
            .await
    }

    /// Add an entry to `list` (placed last, or at `input.position`); answers its id.
    pub async fn add_list_entry(
        &mut self,
        list: ListTable,
        input: &EntryInput<'_>,
    ) -> StoreResult<Result<i64, EntryRefused>> {
        if let Some(clash) = self.name_clash(list, input.name, None).await? {
            return Ok(Err(EntryRefused::Clash(clash)));
        }
        let sql = format!(
            "INSERT INTO {} (name, {}position, active)
             VALUES (?1, {}(SELECT COALESCE(MAX(position), 0) + 1 FROM {}), ?3) RETURNING id",
            list.table(),
            if list == ListTable::Behaviours {
                "sentiment, "
            } else {
                ""
            },
            if list == ListTable::Behaviours { "?2, " } else { "" },
            list.table()
        );
        let id: i64 = sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(input.name)
            .bind(input.sentiment.unwrap_or("neutral"))
            .bind(input.active)
            .fetch_one(self.write())
            .await?;
        self.place(list, id, input.position).await?;
        Ok(Ok(id))
    }

    /// Change entry `id` of `list` to `input`.
    pub async fn change_list_entry(
        &mut self,
        list: ListTable,
        id: i64,
        input: &EntryInput<'_>,
    ) -> StoreResult<Result<(), EntryRefused>> {
        if self.list_entry(list, id).await?.is_none() {
            return Ok(Err(EntryRefused::NotFound));
        }
        if let Some(clash) = self.name_clash(list, input.name, Some(id)).await? {
            return Ok(Err(EntryRefused::Clash(clash)));
        }
        let sql = format!(
            "UPDATE {} SET name = ?2, active = ?3{} WHERE id = ?1",
            list.table(),
            if list == ListTable::Behaviours {
                ", sentiment = COALESCE(?4, sentiment)"
            } else {
                ""
            }
        );
        let mut query = sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .bind(input.name)
            .bind(input.active);
        if list == ListTable::Behaviours {
            query = query.bind(input.sentiment);
        }
        query.execute(self.write()).await?;
        self.place(list, id, input.position).await?;
        Ok(Ok(()))
    }

    /// The name of another entry of `list` (not `except`) that is `name` in any case.
    async fn name_clash(&mut self, list: ListTable, name: &str, except: Option<i64>) -> StoreResult<Option<String>> {
        let rows: Vec<(i64, String)> = sqlx::query_as(AssertSqlSafe(format!("SELECT id, name FROM {}", list.table())))
            .fetch_all(self.read())
            .await?;
        let wanted = name.to_lowercase();
        Ok(rows
            .into_iter()
            .find(|(id, other)| Some(*id) != except && other.to_lowercase() == wanted)
            .map(|(_, other)| other))
    }

    /// Number `list` 1..n in its order, with entry `id` moved to `position` (clamped to the
    /// list) when one is given; the others move to make room.
    async fn place(&mut self, list: ListTable, id: i64, position: Option<i64>) -> StoreResult<()> {
        let mut order: Vec<(i64, i64)> = sqlx::query_as(AssertSqlSafe(format!(
            "SELECT id, position FROM {} ORDER BY position, id",
            list.table()
        )))
        .fetch_all(self.read())
        .await?;
        if let Some(position) = position
            && let Some(from) = order.iter().position(|(entry, _)| *entry == id)
        {
            let moved = order.remove(from);
            let to = usize::try_from(position.saturating_sub(1))
                .unwrap_or(0)
                .min(order.len());
            order.insert(to, moved);
        }
        let sql = format!("UPDATE {} SET position = ?2 WHERE id = ?1", list.table());
        for (place, (entry, old)) in (1i64..).zip(order) {
            if old != place {
                sqlx::query(AssertSqlSafe(sql.clone()))
                    .bind(entry)
                    .bind(place)
                    .execute(self.write())
                    .await?;
            }
        }
        Ok(())
    }

    /// Replace the whole school day with `periods` (checked by the caller).
    pub async fn replace_bell_times(&mut self, periods: &[BellRow]) -> StoreResult<()> {
        sqlx::query("DELETE FROM bell_times").execute(self.write()).await?;
        for period in periods {
            sqlx::query("INSERT INTO bell_times (number, name, starts_minute, ends_minute) VALUES (?1, ?2, ?3, ?4)")
                .bind(period.number)
                .bind(&period.name)
                .bind(period.starts_minute)
                .bind(period.ends_minute)
                .execute(self.write())
                .await?;
        }
        Ok(())
    }
}
