//! Smart Plans (`/plans`) and the server-side drafts of long forms (`/drafts`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "server")]
use utoipa::ToSchema;

use super::{IndividualRef, StaffRef};

/// `POST /plans` (and the body of `PUT /plans/{id}`): a Smart Plan for one individual the user
/// may see. Idempotent by `id` like an incident. Each text at most 10,000 characters, at least
/// one of them not empty.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPlan {
    /// Client-made UUID (on `PUT`, the plan's own id).
    pub id: uuid::Uuid,
    /// Who the plan is for.
    pub individual_id: i64,
    /// Title: 1 to 200 characters.
    pub title: String,
    /// Strategies that help the individual feel safe and regulated.
    #[serde(default)]
    pub strategies: String,
    /// Reasonable adjustments.
    #[serde(default)]
    pub reasonable_adjustments: String,
    /// Agreed responses.
    #[serde(default)]
    pub agreed_responses: String,
    /// How staff communicate and follow up after incidents.
    #[serde(default)]
    pub follow_up: String,
    /// When to review it: today or later, at most two years ahead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_on: Option<NaiveDate>,
    /// The incident it was built from: one the user may see, about the same individual.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_incident_reference: Option<String>,
}

/// A Smart Plan in a list (`GET /plans`, the profile's Plans tab).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct PlanSummary {
    /// Plan id.
    pub id: String,
    /// Who the plan is for.
    pub individual: IndividualRef,
    /// Title.
    pub title: String,
    /// Strategies.
    pub strategies: String,
    /// The day it is due for review, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_on: Option<NaiveDate>,
    /// The incident it was built from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_incident_reference: Option<String>,
    /// Who wrote it.
    pub created_by: StaffRef,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// Query of `GET /plans`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "server", into_params(parameter_in = Query))]
pub struct PlanQuery {
    /// Only plans for this individual.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub individual_id: Option<i64>,
}

/// `GET /plans`: plans the user may see (not deleted), most recently changed first, at most
/// 500.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct PlanList {
    /// The plans.
    pub items: Vec<PlanSummary>,
}

/// `GET /plans/{id}` (and the answer of `POST`/`PUT`): the whole plan.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct Plan {
    /// Plan id (the client-made UUID).
    pub id: String,
    /// Who the plan is for.
    pub individual: IndividualRef,
    /// Title.
    pub title: String,
    /// Strategies that help the individual feel safe and regulated.
    pub strategies: String,
    /// Reasonable adjustments.
    pub reasonable_adjustments: String,
    /// Agreed responses.
    pub agreed_responses: String,
    /// How staff communicate and follow up after incidents.
    pub follow_up: String,
    /// When to review it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_on: Option<NaiveDate>,
    /// The incident it was built from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_incident_reference: Option<String>,
    /// Who wrote it.
    pub created_by: StaffRef,
    /// When.
    pub created_at: DateTime<Utc>,
    /// Who changed it last.
    pub updated_by: StaffRef,
    /// When.
    pub updated_at: DateTime<Utc>,
    /// The reader may delete it.
    pub can_delete: bool,
}

/// Which form a draft is of.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DraftKind {
    /// An Incident Report.
    Incident,
    /// A Physical Intervention report.
    PhysicalIntervention,
    /// A Smart Plan.
    Plan,
}

impl DraftKind {
    /// As a sentence names it: "Resume the incident report you started at 10:42".
    pub fn label(self) -> &'static str {
        match self {
            DraftKind::Incident => "incident report",
            DraftKind::PhysicalIntervention => "physical intervention report",
            DraftKind::Plan => "Smart Plan",
        }
    }
}

/// `PUT /drafts/{id}`: save a form as it stands. `{id}` is the UUID the form will be submitted
/// with. Only its author ever sees a draft: another user's id is 404. At most 10 drafts per
/// user (409 beyond); drafts unsaved for 30 days are deleted.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DraftBody {
    /// Which form.
    pub kind: DraftKind,
    /// The form's fields, as the client keeps them: a JSON object of at most 512 KiB that the
    /// server stores and returns unchanged.
    #[cfg_attr(feature = "server", schema(value_type = Object))]
    pub content: serde_json::Value,
}

/// A draft in `GET /drafts`: what it is and when, without its content.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct DraftSummary {
    /// The form's UUID.
    pub id: uuid::Uuid,
    /// Which form.
    pub kind: DraftKind,
    /// When it was first saved.
    pub started_at: DateTime<Utc>,
    /// When it was last saved.
    pub saved_at: DateTime<Utc>,
}

/// `GET /drafts`: the user's own drafts, most recently saved first.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct DraftList {
    /// The drafts.
    pub items: Vec<DraftSummary>,
}

/// `GET /drafts/{id}` (and the answer of `PUT`): a draft with its content.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct Draft {
    /// The form's UUID.
    pub id: uuid::Uuid,
    /// Which form.
    pub kind: DraftKind,
    /// When it was first saved.
    pub started_at: DateTime<Utc>,
    /// When it was last saved.
    pub saved_at: DateTime<Utc>,
    /// The form's fields, as saved.
    #[cfg_attr(feature = "server", schema(value_type = Object))]
    pub content: serde_json::Value,
}
