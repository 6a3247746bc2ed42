//! `bsmart admin retention`: the privacy policy's retention periods (9.6), applied.
//!
//! The policy keeps "reports … 75 years from the last date of interaction" and "other data,
//! such as usernames and passwords, contact information, and other personal data … collected
//! from a Direct User … 7 years from the last date of interaction". Here that means:
//!
//! - **Individuals (75 years).** An individual's last interaction is the latest of: their
//!   record's creation; every incident report naming them (as a subject or involved: its
//!   occurrence, creation, last edit, parents told, flag, deletion); every click; every
//!   communication and response about them; every Smart Plan's creation, change or deletion.
//!   When it is more than 75 calendar years ago, everything about them is deleted: the
//!   individual, their key contacts, key staff and access grants, their clicks, communications
//!   (with recipients and responses), Smart Plans, incident reports (with revisions, staff
//!   accounts, staff present and techniques) and the notifications pointing at any of these.
//!   A report naming several individuals goes only when every one of them is due and the
//!   report's own `retain_until` has passed; until then each of them is held back whole (and
//!   counted as held back), so no report loses part of what it is about. Another
//!   individual's plan citing a deleted report keeps itself, without the citation.
//! - **Accounts (7 years).** An account that is deactivated, or whose cover has expired, and
//!   whose last interaction (the latest of its creation, password change, deactivation, expiry
//!   and every session's start and last use) is more than 7 calendar years ago is anonymised:
//!   its sessions, recovery codes, sign-in challenges, drafts, notifications, access grants and
//!   saved report filter sets are deleted, and its email, name, job title, password hash and 2FA secrets are replaced
//!   (`retired-ID@retention.invalid`, "Former staff member ID"), so the records it made stay
//!   attributed to an account that can never sign in. An active account is never due.
//! - **Drafts (7 years).** A draft not saved for 7 years is deleted (the author's own data).
//!
//! The audit log is never touched (it is append-only and its chain must stay verifiable); its
//! rows keep the emails of the accounts that acted, as the record of who did what. A run prints
//! and audits counts only, never a name; without `--dry-run` it deletes in one transaction
//! with an audit row `retention.applied` saying what was removed and under which rule.

use std::fmt;
use std::path::Path;

use chrono::{DateTime, Months, Utc};

use super::super::audit::AuditEntry;
use super::super::clock::{Clock, SystemClock};
use super::super::store::{RetentionCounts, RetentionCutoffs};
use super::{ACTOR, db_error, open_existing, thousands};

/// Years an individual's records are kept after the last interaction (policy 9.6 a).
pub const INDIVIDUAL_YEARS: u32 = 75;
/// Years account data is kept after the last interaction (policy 9.6 b).
pub const ACCOUNT_YEARS: u32 = 7;

/// The cut-offs of the rule at `now`.
pub fn cutoffs(now: DateTime<Utc>) -> RetentionCutoffs {
    let before = |years: u32| {
        now.checked_sub_months(Months::new(years * 12))
            .map_or(i64::MIN, |t| t.timestamp())
    };
    RetentionCutoffs {
        now: now.timestamp(),
        individuals: before(INDIVIDUAL_YEARS),
        accounts: before(ACCOUNT_YEARS),
    }
}

/// What a run found and (unless a dry run) removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retention {
    /// What is (or was) removed.
    pub counts: RetentionCounts,
    /// Individuals past 75 years held back by a shared report.
    pub held_back: u64,
    /// True for `--dry-run`.
    pub dry_run: bool,
    /// The cut-offs applied.
    pub cutoffs: RetentionCutoffs,
}

impl Retention {
    /// The counts as one line of `name n` pairs (for the audit row).
    fn summary(&self) -> String {
        let c = &self.counts;
        format!(
            "individuals {}, incidents {}, clicks {}, communications {}, plans {}, key contacts {}, notifications {}, \
             accounts anonymised {}, sessions {}, recovery codes {}, challenges {}, access grants {}, drafts {}, \
             report filter sets {}; \
             held back by a shared report {}",
            c.individuals,
            c.incidents,
            c.clicks,
            c.communications,
            c.plans,
            c.contacts,
            c.notifications,
            c.accounts,
            c.sessions,
            c.recovery_codes,
            c.challenges,
            c.grants,
            c.drafts,
            c.filter_sets,
            self.held_back
        )
    }

    /// The rule with its cut-off dates (dd/mm/yyyy).
    fn rule(&self) -> String {
        let date =
            |t: i64| DateTime::from_timestamp(t, 0).map_or_else(|| t.to_string(), |d| d.format("%d/%m/%Y").to_string());
        format!(
            "policy 9.6: individuals {INDIVIDUAL_YEARS} years after their last interaction (before {}), inactive \
             accounts and drafts {ACCOUNT_YEARS} years (before {})",
            date(self.cutoffs.individuals),
            date(self.cutoffs.accounts)
        )
    }
}

impl fmt::Display for Retention {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.counts;
        let verb = if self.dry_run {
            "Due (dry run, nothing deleted)"
        } else {
            "Removed"
        };
        writeln!(f, "{verb} under the rule of {}:", self.rule())?;
        let lines: [(&str, u64); 14] = [
            ("individuals", c.individuals),
            ("  incident reports", c.incidents),
            ("  clicks", c.clicks),
            ("  communications", c.communications),
            ("  Smart Plans", c.plans),
            ("  key contacts", c.contacts),
            ("  notifications", c.notifications),
            ("accounts anonymised", c.accounts),
            ("  sessions", c.sessions),
            ("  recovery codes", c.recovery_codes),
            ("  sign-in challenges", c.challenges),
            ("  access grants", c.grants),
            ("  report filter sets", c.filter_sets),
            ("drafts", c.drafts),
        ];
        for (what, n) in lines {
            writeln!(f, "  {what:<24} {:>9}", thousands(n))?;
        }
        write!(
            f,
            "  {:<24} {:>9}  (past {INDIVIDUAL_YEARS} years, but a report they share with someone kept holds them)",
            "individuals held back",
            thousands(self.held_back)
        )?;
        if self.dry_run {
            write!(
                f,
                "\nRun again without --dry-run to delete this (one transaction, audited)."
            )?;
        }
        Ok(())
    }
}

/// `bsmart admin retention --db DB [--dry-run]` at the system clock's now.
pub async fn retention(db: &Path, dry_run: bool) -> Result<Retention, String> {
    retention_at(db, dry_run, SystemClock.now()).await
}

/// The rule applied to `db` as if at `now`.
pub async fn retention_at(db: &Path, dry_run: bool, now: DateTime<Utc>) -> Result<Retention, String> {
    let store = open_existing(db).await?;
    let cutoffs = cutoffs(now);
    let failed = |e: sqlx::Error| db_error(db, &e);
    let mut tx = store.begin().await.map_err(failed)?;
    let due = tx.retention_due(cutoffs).await.map_err(failed)?;
    let counts = tx.apply_retention(&due, cutoffs, !dry_run).await.map_err(failed)?;
    let run = Retention {
        counts,
        held_back: due.held_back,
        dry_run,
        cutoffs,
    };
    if dry_run {
        drop(tx);
    } else {
        let entry = AuditEntry::new(cutoffs.now, None, ACTOR, "retention.applied", "success")
            .target("database")
            .detail(&format!("{}; removed: {}", run.rule(), run.summary()));
        tx.audit(&entry).await.map_err(failed)?;
        tx.commit().await.map_err(failed)?;
    }
    store.close().await.map_err(failed)?;
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoffs_are_calendar_years_before_now() {
        let now = DateTime::parse_from_rfc3339("2026-12-02T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let c = cutoffs(now);
        let date = |t| DateTime::from_timestamp(t, 0).unwrap().to_rfc3339();
        assert_eq!(date(c.individuals), "1951-12-02T08:00:00+00:00");
        assert_eq!(date(c.accounts), "2019-12-02T08:00:00+00:00");
    }
}
