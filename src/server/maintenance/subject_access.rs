//! `bsmart admin subject-access`: every record about one individual as one JSON file, for a
//! subject access request (policy 11.1) or a request for data portability (11.5).
//!
//! The file holds the individual's details, key contacts and key staff, every incident report
//! naming them (as a subject or involved, with its staff accounts, techniques and revisions),
//! their clicks, communications with recipients and responses, Smart Plans, and the access
//! grants that reach them (one by one, or by their group or year). On a report shared with
//! other individuals those others are withheld (`store::subject_access`), and the file says so;
//! free text (what happened, accounts, messages) is exported as written, so the file tells the
//! school to read it for third parties' names before release. The file is created 0600 (an
//! existing file is refused) and the export is audited (`admin.subject_access`, target
//! `individual:ID`, counts only); if the audit row cannot be written the file is deleted.

use std::fmt;
use std::io::Write;
use std::path::Path;

use serde_json::{Value, json};

use super::super::audit::AuditEntry;
use super::super::clock::{Clock, SystemClock};
use super::{ACTOR, create_private, db_error, open_existing};

/// What the file says about how it was made, for whoever reads it.
const NOTES: [&str; 4] = [
    "Every record this server holds about the individual, for a subject access request or data portability \
     (privacy policy 11.1 and 11.5). Times are UTC (RFC 3339).",
    "Where a report also names other individuals, they are withheld: shown as \"another individual (withheld)\", \
     counted in others_withheld, left out of the report's revisions, and their names replaced by [withheld] in its \
     text.",
    "Other free text (messages, plans, a name misspelt or shortened) is exported as it was written: read it \
     before release and redact any third party it names.",
    "Staff are named as the school records them; the audit log of who viewed the records is not part of this file.",
];

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    /// The individual.
    pub individual: i64,
    /// The file, as given.
    pub to: String,
    /// Incident reports, clicks, communications, plans.
    pub counts: [usize; 4],
    /// Reports shared with other individuals (withheld).
    pub shared: usize,
}

impl Exported {
    /// Counts only, for the audit row and the terminal.
    fn summary(&self) -> String {
        let [incidents, clicks, communications, plans] = self.counts;
        format!(
            "{incidents} incident reports ({} shared, others withheld), {clicks} clicks, {communications} communications, \
             {plans} Smart Plans",
            self.shared
        )
    }
}

impl fmt::Display for Exported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Wrote the records of individual {} to {} (mode 0600): {}. Read its free text for third parties' names \
             before release.",
            self.individual,
            self.to,
            self.summary()
        )
    }
}

/// Length of the JSON array `key` of `document`.
fn count(document: &Value, key: &str) -> usize {
    document[key].as_array().map_or(0, Vec::len)
}

/// `bsmart admin subject-access --db DB --individual ID --to TO`.
pub async fn subject_access(db: &Path, individual: i64, to: &Path) -> Result<Exported, String> {
    let store = open_existing(db).await?;
    let mut file = create_private(to, "export")?;
    let written = async {
        let Some(records) = store.subject_access(individual).await.map_err(|e| db_error(db, &e))? else {
            return Err(format!(
                "there is no individual with id {individual} (the id is the number in the individual's profile)"
            ));
        };
        let exported = Exported {
            individual,
            to: to.display().to_string(),
            counts: ["incidents", "clicks", "communications", "smart_plans"].map(|key| count(&records, key)),
            shared: records["incidents"].as_array().map_or(0, |all| {
                all.iter().filter(|i| i["others_withheld"].as_u64() > Some(0)).count()
            }),
        };
        let document = json!({
            "format": "bsmart subject access export, version 1",
            "exported_at": SystemClock.now().to_rfc3339(),
            "notes": NOTES,
            "records": records,
        });
        let text = serde_json::to_vec_pretty(&document).map_err(|e| e.to_string())?;
        file.write_all(&text)
            .and_then(|()| file.sync_all())
            .map_err(|e| format!("cannot write {}: {e}", to.display()))?;
        let entry = AuditEntry::new(
            SystemClock.now().timestamp(),
            None,
            ACTOR,
            "admin.subject_access",
            "success",
        )
        .target(&format!("individual:{individual}"))
        .detail(&exported.summary());
        store.append_audit(&entry).await.map_err(|e| db_error(db, &e))?;
        Ok(exported)
    }
    .await;
    if written.is_err() {
        let _ = std::fs::remove_file(to);
    }
    store.close().await.map_err(|e| db_error(db, &e))?;
    written
}
