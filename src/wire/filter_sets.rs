//! Saved report filters: `GET /report-filter-sets` (the user's own), `POST /report-filter-sets`
//! (save one by name; the same name again replaces it) and `DELETE /report-filter-sets/{id}`.
//!
//! A set holds filters only (never a report type or a figure): the period, and the ids of the
//! individuals, behaviours, locations and staff to keep to. It belongs to the member of staff
//! who saved it and no one else reads it. When it is read back, an individual the user can no
//! longer open is left out and only counted (`hidden`), never named.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "server")]
use utoipa::ToSchema;

use super::IndividualRef;

/// The most sets one member of staff may keep.
pub const FILTER_SETS_MAX: usize = 50;
/// The longest name of a set, in characters.
pub const FILTER_SET_NAME_MAX: usize = 60;

/// The period of a saved set: one of the periods the Analytics page steps through (counted
/// from the day the set is used), or two dates.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SavedPeriod {
    /// Since Monday.
    ThisWeek,
    /// The last 30 days.
    Last30Days,
    /// This term.
    ThisTerm,
    /// This school year.
    ThisSchoolYear,
    /// From `from` to `to`, both included (at most ten years).
    Dates {
        /// The first day.
        from: NaiveDate,
        /// The last day.
        to: NaiveDate,
    },
}

/// The filters of a set, as ids (at most [`super::REPORT_MAX_IDS`] in each list).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct SavedFilters {
    /// The period (none: the page's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<SavedPeriod>,
    /// Individuals (none: everyone the user may open).
    #[serde(default)]
    pub individual_ids: Vec<i64>,
    /// Clicker behaviours.
    #[serde(default)]
    pub behaviour_ids: Vec<i64>,
    /// Locations.
    #[serde(default)]
    pub location_ids: Vec<i64>,
    /// Members of staff.
    #[serde(default)]
    pub staff_ids: Vec<i64>,
}

/// Body of `POST /report-filter-sets`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct NewFilterSet {
    /// Its name (1 to 60 characters, no control characters); a set of the same name (ignoring
    /// case) is replaced.
    pub name: String,
    /// The filters.
    pub filters: SavedFilters,
}

/// A saved set, as its owner reads it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct FilterSet {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// The filters, without any individual the user can no longer open.
    pub filters: SavedFilters,
    /// The individuals of `filters`, named.
    pub individuals: Vec<IndividualRef>,
    /// How many individuals it was saved with that the user can no longer open.
    #[serde(default)]
    pub hidden: u32,
    /// When it was saved last.
    pub saved_at: DateTime<Utc>,
}

/// Reply of `GET /report-filter-sets`: the user's sets, by name.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct FilterSetList {
    /// The sets.
    pub items: Vec<FilterSet>,
}
