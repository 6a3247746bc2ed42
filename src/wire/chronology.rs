//! A pupil's chronology: `GET /individuals/{id}/chronology`, the incidents, clicks and
//! communications about one individual in one timeline, newest first, paged by a cursor.
//! An individual the user may not open is 404, like one that does not exist.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "server")]
use utoipa::ToSchema;

use super::{IncidentKind, StaffRef, Tone};

/// What an entry of the chronology is.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChronologyItem {
    /// An incident the individual is one of those it is about.
    Incident {
        /// Its reference, to open it.
        reference: String,
        /// Incident or physical intervention.
        kind: IncidentKind,
        /// Its category.
        category: String,
        /// Where.
        location: String,
        /// Flagged for further attention.
        flagged: bool,
    },
    /// A click of a clicker behaviour.
    Click {
        /// The behaviour's name.
        behaviour: String,
    },
    /// A communication about the individual.
    Communication {
        /// Positive, negative or N/A.
        tone: Tone,
        /// Its message's first line, at most 200 characters.
        message: String,
    },
}

/// One entry of the chronology.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ChronologyEntry {
    /// When it happened (an incident's or click's time; a communication's writing).
    pub at: DateTime<Utc>,
    /// Who recorded it.
    pub by: StaffRef,
    /// What it is.
    pub item: ChronologyItem,
}

/// Query of `GET /individuals/{id}/chronology`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "server", into_params(parameter_in = Query))]
pub struct ChronologyQuery {
    /// Page size, 1 to 500 (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "server", param(minimum = 1, maximum = 500))]
    pub limit: Option<u32>,
    /// Opaque cursor from the previous page's `next_cursor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// A page of a chronology, newest first.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ChronologyPage {
    /// The entries on this page.
    pub items: Vec<ChronologyEntry>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}
