//! Behaviour Communications and their threads: writing one (its recipients are the individual's
//! key staff, each notified), answering one (its author and other recipients notified), and
//! reading them, always through the one access rule of [`super::access`].

use sqlx::FromRow;

use super::access::{bind_viewer, can_see, pupil_name, visible_individuals};
use super::{Store, StoreResult, Tx, Viewer};

/// A communication, without its thread.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct CommunicationRow {
    /// The client-made UUID.
    pub id: String,
    /// Who it is about.
    pub individual_id: i64,
    /// Their name as lists show it.
    pub individual_name: String,
    /// Who wrote it.
    pub author_id: i64,
    /// Their display name.
    pub author_name: String,
    /// `positive`, `negative` or `na`.
    pub tone: String,
    /// The message.
    pub message: String,
    /// When (unix seconds).
    pub created_at: i64,
}

/// A member of staff a communication was sent to.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct RecipientRow {
    /// The communication.
    pub communication_id: String,
    /// The member of staff.
    pub user_id: i64,
    /// Their display name.
    pub name: String,
}

/// A response in a communication's thread.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ResponseRow {
    /// The client-made UUID.
    pub id: String,
    /// The communication.
    pub communication_id: String,
    /// Who answered.
    pub author_id: i64,
    /// Their display name.
    pub author_name: String,
    /// The answer.
    pub message: String,
    /// When (unix seconds).
    pub created_at: i64,
}

/// A new communication or response, as checked by its handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage<'a> {
    /// The client-made UUID.
    pub id: &'a str,
    /// The communication's individual, or the communication a response answers.
    pub about: About<'a>,
    /// The author.
    pub author_id: i64,
    /// The text, trimmed and checked.
    pub message: &'a str,
    /// Now (unix seconds).
    pub now: i64,
}

/// What a [`NewMessage`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum About<'a> {
    /// A communication about this individual, with this tone.
    Individual(i64, &'a str),
    /// A response in this communication's thread.
    Thread(&'a str),
}

/// What writing a communication or a response came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// The individual (or the communication's individual) is unknown or not visible.
    NotFound,
    /// Written now; these members of staff were notified.
    Created {
        /// The notified staff.
        notified: Vec<i64>,
    },
    /// The same message was written before under this id (a retry): nothing new.
    Existing,
    /// The id belongs to another message: nothing was written.
    Conflict,
}

/// The columns of a [`CommunicationRow`] of communications `c`, their individual `p` and
/// author `u`.
macro_rules! communication_rows {
    () => {
        concat!(
            " SELECT c.id, c.individual_id, ",
            pupil_name!("p"),
            " AS individual_name, c.author_id, u.display_name AS author_name, c.sentiment AS tone,
                     c.message, c.created_at
              FROM communications c
              JOIN individuals p ON p.id = c.individual_id
              JOIN users u ON u.id = c.author_id
              WHERE c.individual_id IN (SELECT individual_id FROM visible)"
        )
    };
}

/// The columns of a [`ResponseRow`] of responses `r` in visible communications `c`, by `u`.
macro_rules! response_rows {
    () => {
        " SELECT r.id, r.communication_id, r.author_id, u.display_name AS author_name, r.message, r.created_at
          FROM communication_responses r
          JOIN communications c ON c.id = r.communication_id
          JOIN users u ON u.id = r.author_id
          WHERE c.individual_id IN (SELECT individual_id FROM visible)"
    };
}

/// `ids` as a JSON array, for `json_each`.
fn ids_json(ids: &[String]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_string())
}

impl Store {
    /// A page of the communications `viewer` may see (of one individual, or all), newest first;
    /// `after` is the (time, id) of the last one of the page before.
    pub async fn communications_page(
        &self,
        viewer: Viewer,
        individual_id: Option<i64>,
        after: Option<(i64, String)>,
        limit: i64,
    ) -> StoreResult<Vec<CommunicationRow>> {
        let query = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            communication_rows!(),
            " AND (?3 IS NULL OR c.individual_id = ?3)
              AND (?4 IS NULL OR c.created_at < ?4 OR (c.created_at = ?4 AND c.id < ?5))
              ORDER BY c.created_at DESC, c.id DESC
              LIMIT ?6"
        ));
        let (after_at, after_id) = after.unzip();
        bind_viewer(query, viewer)
            .bind(individual_id)
            .bind(after_at)
            .bind(after_id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
    }

    /// Communication `id`, if `viewer` may see its individual.
    pub async fn communication(&self, viewer: Viewer, id: &str) -> StoreResult<Option<CommunicationRow>> {
        let query = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            communication_rows!(),
            " AND c.id = ?3"
        ));
        bind_viewer(query, viewer).bind(id).fetch_optional(&self.pool).await
    }

    /// The recipients and the responses (oldest first) of the communications `ids` that
    /// `viewer` may see.
    pub async fn threads(&self, viewer: Viewer, ids: &[String]) -> StoreResult<(Vec<RecipientRow>, Vec<ResponseRow>)> {
        let ids = ids_json(ids);
        let recipients = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            " SELECT r.communication_id, r.user_id, u.display_name AS name
              FROM communication_recipients r
              JOIN communications c ON c.id = r.communication_id
              JOIN users u ON u.id = r.user_id
              WHERE r.communication_id IN (SELECT value FROM json_each(?3))
                AND c.individual_id IN (SELECT individual_id FROM visible)
              ORDER BY u.display_name, u.id"
        ));
        let recipients = bind_viewer(recipients, viewer).bind(&ids).fetch_all(&self.pool).await?;
        let responses = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            response_rows!(),
            " AND r.communication_id IN (SELECT value FROM json_each(?3))
              ORDER BY r.created_at, r.id"
        ));
        let responses = bind_viewer(responses, viewer).bind(&ids).fetch_all(&self.pool).await?;
        Ok((recipients, responses))
    }

    /// Response `id` in a communication `viewer` may see.
    pub async fn response(&self, viewer: Viewer, id: &str) -> StoreResult<Option<ResponseRow>> {
        let query = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            response_rows!(),
            " AND r.id = ?3"
        ));
        bind_viewer(query, viewer).bind(id).fetch_optional(&self.pool).await
    }
}

impl Tx {
    /// Write `new` as `viewer`: a communication about a visible individual, sent to their key
    /// staff but the author; or a response in a visible communication's thread, for its author
    /// and recipients but the responder. Each of them gets a notification.
    pub async fn write_message(&mut self, viewer: Viewer, new: &NewMessage<'_>) -> StoreResult<Written> {
        let (individual_id, communication_id) = match new.about {
            About::Individual(individual_id, _) => (individual_id, new.id.to_string()),
            About::Thread(communication_id) => {
                let found: Option<(i64,)> = sqlx::query_as("SELECT individual_id FROM communications WHERE id = ?1")
                    .bind(communication_id)
                    .fetch_optional(self.read())
                    .await?;
                match found {
                    Some((individual_id,)) => (individual_id, communication_id.to_string()),
                    None => return Ok(Written::NotFound),
                }
            }
        };
        if !can_see(self.read(), viewer, individual_id).await? {
            return Ok(Written::NotFound);
        }
        let inserted = match new.about {
            About::Individual(_, tone) => sqlx::query(
                "INSERT INTO communications (id, individual_id, author_id, sentiment, message, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO NOTHING",
            )
            .bind(new.id)
            .bind(individual_id)
            .bind(new.author_id)
            .bind(tone)
            .bind(new.message)
            .bind(new.now),
            About::Thread(_) => sqlx::query(
                "INSERT INTO communication_responses (id, communication_id, author_id, message, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(id) DO NOTHING",
            )
            .bind(new.id)
            .bind(&communication_id)
            .bind(new.author_id)
            .bind(new.message)
            .bind(new.now),
        }
        .execute(self.write())
        .await?;
        if inserted.rows_affected() == 0 {
            return self.compare_existing(new).await;
        }
        let notified: Vec<i64> = match new.about {
            About::Individual(..) => {
                let staff: Vec<(i64,)> = sqlx::query_as(
                    "INSERT INTO communication_recipients (communication_id, user_id)
                     SELECT ?1, k.user_id FROM key_staff k JOIN users u ON u.id = k.user_id
                     WHERE k.individual_id = ?2 AND k.user_id <> ?3 AND u.active = 1
                     RETURNING user_id",
                )
                .bind(new.id)
                .bind(individual_id)
                .bind(new.author_id)
                .fetch_all(self.write())
                .await?;
                staff.into_iter().map(|(id,)| id).collect()
            }
            About::Thread(_) => {
                let staff: Vec<(i64,)> = sqlx::query_as(
                    "SELECT author_id FROM communications WHERE id = ?1
                     UNION SELECT user_id FROM communication_recipients WHERE communication_id = ?1",
                )
                .bind(&communication_id)
                .fetch_all(self.read())
                .await?;
                staff
                    .into_iter()
                    .map(|(id,)| id)
                    .filter(|id| *id != new.author_id)
                    .collect()
            }
        };
        let response_id = matches!(new.about, About::Thread(_)).then_some(new.id);
        for user_id in &notified {
            sqlx::query(
                "INSERT INTO notifications (user_id, kind, individual_id, actor_id, communication_id, response_id,
                                            created_at)
                 VALUES (?1, 'communication', ?2, ?3, ?4, ?5, ?6)",
            )
            .bind(user_id)
            .bind(individual_id)
            .bind(new.author_id)
            .bind(&communication_id)
            .bind(response_id)
            .bind(new.now)
            .execute(self.write())
            .await?;
        }
        Ok(Written::Created { notified })
    }

    /// [`Written::Existing`] when the message already under `new.id` is `new` again (same
    /// author, individual or thread, tone and text), else [`Written::Conflict`].
    async fn compare_existing(&mut self, new: &NewMessage<'_>) -> StoreResult<Written> {
        let (about, tone) = match new.about {
            About::Individual(individual_id, tone) => (individual_id.to_string(), tone),
            About::Thread(communication_id) => (communication_id.to_string(), ""),
        };
        let first: Option<(i64, String, String, String)> = match new.about {
            About::Individual(..) => sqlx::query_as(
                "SELECT author_id, CAST(individual_id AS TEXT), sentiment, message FROM communications WHERE id = ?1",
            ),
            About::Thread(_) => sqlx::query_as(
                "SELECT author_id, communication_id, '', message FROM communication_responses WHERE id = ?1",
            ),
        }
        .bind(new.id)
        .fetch_optional(self.read())
        .await?;
        let same = first.is_some_and(|(author, first_about, first_tone, message)| {
            author == new.author_id && first_about == about && first_tone == tone && message == new.message
        });
        Ok(if same { Written::Existing } else { Written::Conflict })
    }
}
