//! Incident reports: `POST /incidents` (Incident Report, Post-Incident Learning and Physical
//! Intervention), the stored incident of `GET /incidents/{ref}`, and its management: edits kept
//! as revisions, parents informed, flags, staff accounts, deletion and the Markdown download.
//!
//! Every text field holds at most [`LONG_TEXT_MAX`] characters and no control characters but
//! new lines and tabs; every id must exist and name an individual the user may see (otherwise
//! 404, as for one that does not exist).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[cfg(feature = "server")]
use utoipa::ToSchema;

use super::{IncidentKind, IndividualRef, StaffRef};

/// The longest a long text field may be, in characters (counted as the client counts them:
/// Unicode scalar values).
pub const LONG_TEXT_MAX: usize = 10_000;
/// The longest a short text (a reason, "how parents were told", which behaviour) may be.
pub const SHORT_TEXT_MAX: usize = 500;
/// The most individuals one report may be about, and the most others involved.
pub const MAX_INDIVIDUALS: usize = 30;
/// The most staff one report may name as present.
pub const MAX_STAFF_PRESENT: usize = 50;

/// A suspension or exclusion linked to an incident.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// None.
    #[default]
    None,
    /// A suspension (fixed-term exclusion).
    Suspension,
    /// A permanent exclusion.
    PermanentExclusion,
}

impl Exclusion {
    /// As the guide writes it.
    pub fn label(self) -> &'static str {
        match self {
            Exclusion::None => "None",
            Exclusion::Suspension => "Suspension",
            Exclusion::PermanentExclusion => "Permanent exclusion",
        }
    }
}

/// Whether anyone was hurt.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Injury {
    /// An injury occurred.
    pub occurred: bool,
    /// What the injury was and what was done: required (1 character or more) when `occurred`.
    #[serde(default)]
    pub details: String,
}

/// Post-Incident Learning (PILD): the individual's side of it and what can be learned. Every
/// text may be empty.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Pild {
    /// What happened from the individual's perspective.
    #[serde(default)]
    pub perspective: String,
    /// How it made them feel.
    #[serde(default)]
    pub feelings: String,
    /// What they could do next time they feel that way.
    #[serde(default)]
    pub next_time: String,
    /// Likely triggers.
    #[serde(default)]
    pub triggers: String,
    /// Reasonable adjustments that could be made to support them.
    #[serde(default)]
    pub adjustments: String,
    /// Other comments or context.
    #[serde(default)]
    pub comments: String,
    /// Discriminatory, prejudiced or other behaviour was displayed.
    #[serde(default)]
    pub discriminatory: bool,
    /// Which behaviour (at most 500 characters): required when `discriminatory`.
    #[serde(default)]
    pub discriminatory_details: String,
    /// A suspension or permanent exclusion linked to the incident.
    #[serde(default)]
    pub exclusion: Exclusion,
}

/// A technique used during a physical intervention, with how well it worked.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TechniqueRating {
    /// A technique of `GET /techniques`, of the list the field names (de-escalation or
    /// physical); each at most once.
    pub technique_id: i64,
    /// 1 (did not help) to 5 (very effective).
    pub effectiveness: u8,
}

/// When and how parents or carers were told.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ParentsInformed {
    /// When: not in the future, and not before the incident happened.
    pub at: DateTime<Utc>,
    /// How, e.g. "Phone call to mother": 1 to 500 characters.
    pub how: String,
}

/// The extra page of a physical intervention.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Physical {
    /// When the intervention started: not before the incident's `occurred_at` less a day, not
    /// in the future.
    pub started_at: DateTime<Utc>,
    /// When it ended: at or after `started_at`, at most 24 hours later, not in the future.
    pub ended_at: DateTime<Utc>,
    /// Low-level behaviours displayed.
    #[serde(default)]
    pub low_behaviours: String,
    /// Medium-level behaviours displayed.
    #[serde(default)]
    pub medium_behaviours: String,
    /// High-level behaviours displayed.
    #[serde(default)]
    pub high_behaviours: String,
    /// How staff responded: required.
    pub staff_response: String,
    /// Alternative responses to try next time.
    #[serde(default)]
    pub alternative_responses: String,
    /// De-escalation techniques used (from the `deescalation` list).
    #[serde(default)]
    pub deescalation: Vec<TechniqueRating>,
    /// Physical techniques used (from the `physical` list).
    #[serde(default)]
    pub physical_techniques: Vec<TechniqueRating>,
    /// When and how parents or carers were told, if they have been: stored as the incident's
    /// `parents_informed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parents_informed: Option<ParentsInformed>,
}

/// `POST /incidents`: a new report. `id` is made by the client, so a retry after a network
/// drop records it once (the same id and body again → 200 with the same `reference`; the same
/// id with another body → 409). A draft of the user's with the same id is deleted with it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewIncident {
    /// Client-made UUID.
    pub id: uuid::Uuid,
    /// `standard`, or `physical_intervention` (which needs `physical`).
    pub kind: IncidentKind,
    /// Who the report is about: 1 to 30 distinct individuals the user may see; the first is the
    /// one lists show.
    pub individual_ids: Vec<i64>,
    /// When it happened: not in the future (2 minutes' grace for clocks), at most a year ago.
    pub occurred_at: DateTime<Utc>,
    /// Where (`GET /locations`).
    pub location_id: i64,
    /// Category (`GET /incident-categories`); the setting's first category when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_id: Option<i64>,
    /// What happened: 1 to 10,000 characters.
    pub what_happened: String,
    /// Staff present (`GET /staff`, at most 50): each is notified and invited to add their own
    /// account. The author may not name themself.
    #[serde(default)]
    pub staff_present_ids: Vec<i64>,
    /// Other individuals involved (at most 30, none of them in `individual_ids`).
    #[serde(default)]
    pub others_involved_ids: Vec<i64>,
    /// Whether anyone was hurt.
    pub injury: Injury,
    /// Post-Incident Learning.
    pub pild: Pild,
    /// The physical intervention page: required when `kind` is `physical_intervention`, refused
    /// otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub physical: Option<Physical>,
}

/// `PUT /incidents/{ref}`: an edit. The report replaces every field (its `id` and `kind` must
/// be the stored ones); what changed is kept as a revision with who and when. `base_revision`
/// is the revision the editor started from: another edit in between is 409, so nobody's
/// change is silently overwritten.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IncidentEdit {
    /// The `revision` of the incident the editor started from.
    pub base_revision: u32,
    /// The report as it should now read.
    pub report: NewIncident,
}

/// An item of one of the setting's lists (locations, categories, techniques).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ListItem {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
}

/// `GET /locations` and `GET /incident-categories`: active items, in the setting's order.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ListItems {
    /// The items.
    pub items: Vec<ListItem>,
}

/// `GET /techniques`: the de-escalation and physical techniques a physical intervention rates.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct TechniqueLists {
    /// De-escalation techniques.
    pub deescalation: Vec<ListItem>,
    /// Physical techniques.
    pub physical: Vec<ListItem>,
}

/// `GET /staff`: active staff, by name (for "staff present").
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct StaffList {
    /// The staff.
    pub items: Vec<StaffRef>,
}

/// A technique as stored on an incident.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct TechniqueUse {
    /// The technique.
    pub technique: ListItem,
    /// 1 to 5.
    pub effectiveness: u8,
}

/// The physical intervention page as stored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct PhysicalRecord {
    /// Started.
    pub started_at: DateTime<Utc>,
    /// Ended.
    pub ended_at: DateTime<Utc>,
    /// Low-level behaviours.
    pub low_behaviours: String,
    /// Medium-level behaviours.
    pub medium_behaviours: String,
    /// High-level behaviours.
    pub high_behaviours: String,
    /// How staff responded.
    pub staff_response: String,
    /// Alternative responses to try next time.
    pub alternative_responses: String,
    /// De-escalation techniques.
    pub deescalation: Vec<TechniqueUse>,
    /// Physical techniques.
    pub physical_techniques: Vec<TechniqueUse>,
}

/// Who recorded that parents or carers were told, when and how.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ParentsInformedRecord {
    /// When they were told.
    pub at: DateTime<Utc>,
    /// How.
    pub how: String,
    /// Who recorded it.
    pub by: StaffRef,
}

/// `POST /incidents/{ref}/flag`: flag for attention (notifies the DSLs and the individual's key
/// staff), or clear the flag.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FlagRequest {
    /// True to flag, false to clear.
    pub flagged: bool,
    /// Why: 1 to 500 characters when flagging; may be empty when clearing.
    #[serde(default)]
    pub reason: String,
}

/// A flag on an incident.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct FlagRecord {
    /// Why.
    pub reason: String,
    /// Who flagged it.
    pub by: StaffRef,
    /// When.
    pub at: DateTime<Utc>,
}

/// `DELETE /incidents/{ref}` and `DELETE /plans/{id}`: hide a record (it is never erased; the
/// audit log keeps who, when and why). Needs the delete permission.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeleteRequest {
    /// Why: 1 to 500 characters.
    pub reason: String,
}

/// `POST /incidents/{ref}/accounts`: a member of staff present adds their own account, under
/// their own name. Idempotent by `id`; one account per member of staff per incident.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    /// Client-made UUID.
    pub id: uuid::Uuid,
    /// Their account: 1 to 10,000 characters.
    pub text: String,
}

/// A staff account on an incident.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct StaffAccount {
    /// The client-made UUID.
    pub id: uuid::Uuid,
    /// Who wrote it.
    pub author: StaffRef,
    /// The account.
    pub text: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// One field changed by an edit. Values are as the view shows them (names, not ids).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct FieldChange {
    /// The field's wire name, e.g. `what_happened`, `pild.triggers`, `physical.ended_at`.
    pub field: String,
    /// Before.
    pub before: String,
    /// After.
    pub after: String,
}

/// An edit of an incident.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct Revision {
    /// The revision it made (the report as submitted is revision 1; the first edit makes 2).
    pub revision: u32,
    /// Who edited.
    pub edited_by: StaffRef,
    /// When.
    pub edited_at: DateTime<Utc>,
    /// What changed.
    pub changes: Vec<FieldChange>,
}

/// `GET /incidents/{ref}` (and the answer of every call that changes one): the whole incident.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct Incident {
    /// Reference, e.g. `besmart-10281`.
    pub reference: String,
    /// The client-made UUID it was submitted with.
    pub id: uuid::Uuid,
    /// Standard or physical intervention.
    pub kind: IncidentKind,
    /// Who it is about (the first is the one lists show).
    pub individuals: Vec<IndividualRef>,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Where.
    pub location: ListItem,
    /// Category.
    pub category: ListItem,
    /// What happened.
    pub what_happened: String,
    /// Staff present.
    pub staff_present: Vec<StaffRef>,
    /// Other individuals involved whom the reader may see.
    pub others_involved: Vec<IndividualRef>,
    /// How many other individuals involved the reader may not see (never named).
    pub others_withheld: u32,
    /// Injury.
    pub injury: Injury,
    /// Post-Incident Learning.
    pub pild: Pild,
    /// The physical intervention page (physical interventions only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub physical: Option<PhysicalRecord>,
    /// Who reported it.
    pub reported_by: StaffRef,
    /// When it was submitted.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The current revision: 1 as submitted, one more for each edit.
    pub revision: u32,
    /// Parents or carers told, if recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parents_informed: Option<ParentsInformedRecord>,
    /// The flag for attention, if flagged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<FlagRecord>,
    /// Accounts added by staff present, oldest first.
    pub accounts: Vec<StaffAccount>,
    /// Who was notified when it was submitted (staff present and key staff).
    pub notified: Vec<StaffRef>,
    /// Edits, oldest first.
    pub revisions: Vec<Revision>,
    /// What the reader may do with it (the server checks again on every call).
    pub can: IncidentActions,
}

/// What the reader may do with an incident.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct IncidentActions {
    /// Edit it (its author, or a role that edits every incident).
    pub edit: bool,
    /// Delete it (a role with the delete permission).
    pub delete: bool,
    /// Add their own account (staff present who have not yet).
    pub add_account: bool,
}

/// `GET /incidents/{ref}/markdown` and `GET /plans/{id}/markdown`: one record as a Markdown
/// file for the user to save (the server audits the export). The text has no control
/// characters but new lines.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct MarkdownExport {
    /// A file name with no directory part, e.g. `besmart-10281.md`.
    pub filename: String,
    /// The document.
    pub markdown: String,
}
