//! Saving a long form as a server-side draft while it is written (`PUT /drafts/{id}`), so that
//! a dead client, a dead thin client or a switch of user loses at most a few seconds of typing,
//! and nothing is written to the client's disk.
//!
//! A form owns one [`Autosave`]. It tells it when its fields change ([`Autosave::changed`]);
//! [`Autosave::deadline`] then says when to save (a few seconds after the first change not
//! yet saved: typing does not send a request per key), and [`Autosave::save`] makes the call,
//! only if the content differs from what the server already has. The form also saves at once
//! when the client locks. The draft's id is the UUID the form will be submitted with, so the
//! server deletes the draft in the same transaction as it records the report.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::api::{Answer, ApiError, Request};
use super::call::Call;
use super::dates::Dates;
use crate::wire::{Draft, DraftBody, DraftKind};

/// How long after a change the draft is saved.
pub const SAVE_AFTER: Duration = Duration::from_secs(3);

/// The answer to a save or a discard.
pub struct Saved {
    id: Uuid,
    hash: u64,
    result: Result<Option<DateTime<Utc>>, ApiError>,
}

/// The draft of one form. `Debug` prints states, never content.
#[derive(Debug)]
pub struct Autosave {
    id: Uuid,
    kind: DraftKind,
    /// The hash of the content the server has.
    saved: Option<u64>,
    /// The hash of the content on its way.
    sending: Option<u64>,
    /// The first change the server does not have yet.
    changed_at: Option<Instant>,
    /// When the server last saved it.
    pub saved_at: Option<DateTime<Utc>>,
    /// The last save failed (the form is kept in memory and saved again later).
    pub failed: Option<String>,
}

impl Autosave {
    /// The draft of a new form submitted as `id`.
    pub fn new(id: Uuid, kind: DraftKind) -> Autosave {
        Autosave {
            id,
            kind,
            saved: None,
            sending: None,
            changed_at: None,
            saved_at: None,
            failed: None,
        }
    }

    /// The draft of a form resumed from the server, whose content is `content`.
    pub fn resumed(draft: &Draft) -> Autosave {
        Autosave {
            saved: Some(hash(&draft.content)),
            saved_at: Some(draft.saved_at),
            ..Autosave::new(draft.id, draft.kind)
        }
    }

    /// The form's id (its draft's and, once submitted, its record's).
    pub fn id(&self) -> Uuid {
        self.id
    }

    /// The form's fields changed at `now`.
    pub fn changed(&mut self, now: Instant) {
        self.changed_at.get_or_insert(now);
    }

    /// When to save next, while anything is unsaved and no save is on its way.
    pub fn deadline(&self) -> Option<Instant> {
        match self.sending {
            Some(_) => None,
            None => self.changed_at.map(|at| at + SAVE_AFTER),
        }
    }

    /// The call that saves `content`, unless the server has it already or a save is on its way.
    /// `locking` marks it as allowed while the client locks.
    pub fn save(&mut self, content: &serde_json::Value, locking: bool) -> Option<Call> {
        let h = hash(content);
        if self.sending.is_some() || self.saved == Some(h) {
            if self.saved == Some(h) {
                self.changed_at = None;
            }
            return None;
        }
        self.sending = Some(h);
        self.changed_at = None;
        let id = self.id;
        let body = DraftBody {
            kind: self.kind,
            content: content.clone(),
        };
        let call = Call::new(
            "draft",
            Request::put(format!("/drafts/{id}")).session().json(&body),
            move |r: Result<Answer, ApiError>| Saved {
                id,
                hash: h,
                result: r.and_then(Answer::typed::<Draft>).map(|d| Some(d.saved_at)),
            },
        );
        Some(if locking { call.while_locked() } else { call })
    }

    /// The call that deletes the draft (the user chose to throw the form away).
    pub fn discard(&mut self) -> Call {
        let id = self.id;
        self.saved = None;
        self.changed_at = None;
        Call::new(
            "draft",
            Request::delete(format!("/drafts/{id}")).session(),
            move |r: Result<Answer, ApiError>| Saved {
                id,
                hash: 0,
                result: r.map(|_| None),
            },
        )
    }

    /// Take the answer to one of this draft's calls; answers whether it was one. A failed save
    /// is tried again at the next deadline.
    pub fn reply(&mut self, saved: &Saved, now: Instant) -> bool {
        if saved.id != self.id {
            return false;
        }
        if self.sending == Some(saved.hash) {
            self.sending = None;
        }
        match &saved.result {
            Ok(Some(at)) => {
                self.saved = Some(saved.hash);
                self.saved_at = Some(*at);
                self.failed = None;
            }
            Ok(None) => {}
            Err(e) => {
                self.failed = Some(e.to_string());
                self.changed(now);
            }
        }
        true
    }

    /// "Draft saved at 10:42", or why it is not.
    pub fn status(&self, dates: Dates) -> String {
        match (&self.failed, self.saved_at) {
            (Some(_), _) => "Not saved: retrying".into(),
            (None, Some(at)) if self.changed_at.is_none() && self.sending.is_none() => {
                format!("Draft saved at {}", dates.time(at))
            }
            (None, Some(at)) => format!("Saving (last {})", dates.time(at)),
            (None, None) if self.changed_at.is_some() || self.sending.is_some() => "Saving the draft…".into(),
            (None, None) => "Saved as you type".into(),
        }
    }
}

/// Take a draft's answer out of a reply, if it is one.
pub fn take(reply: crate::client::call::Typed) -> Result<Saved, crate::client::call::Typed> {
    reply.downcast::<Saved>().map(|b| *b)
}

fn hash(content: &serde_json::Value) -> u64 {
    let mut h = DefaultHasher::new();
    content.to_string().hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(a: &mut Autosave, call: Call, at: DateTime<Utc>) {
        drop(call);
        let hash = a.sending.unwrap_or_default();
        let saved = Saved {
            id: a.id,
            hash,
            result: Ok(Some(at)),
        };
        assert!(a.reply(&saved, Instant::now()));
    }

    #[test]
    fn it_saves_after_a_pause_and_only_what_changed() {
        let now = Instant::now();
        let mut a = Autosave::new(Uuid::new_v4(), DraftKind::Incident);
        assert_eq!(a.deadline(), None);
        a.changed(now);
        a.changed(now + Duration::from_secs(1));
        assert_eq!(a.deadline(), Some(now + SAVE_AFTER));
        let content = serde_json::json!({"what_happened": "Left the room"});
        let call = a.save(&content, false).expect("a first save");
        assert_eq!(a.deadline(), None, "no second save while one is on its way");
        assert!(a.save(&content, false).is_none());
        answered(&mut a, call, Utc::now());
        assert!(a.status(Dates::UTC).starts_with("Draft saved at"));
        a.changed(now);
        assert!(a.save(&content, false).is_none(), "the server has this content already");
        assert_eq!(a.deadline(), None);
        let call = a.save(&serde_json::json!({"what_happened": "Left the room."}), true);
        assert!(call.is_some_and(|c| c.while_locked));
    }

    #[test]
    fn a_failed_save_is_tried_again_and_says_so() {
        let mut a = Autosave::new(Uuid::new_v4(), DraftKind::Plan);
        let content = serde_json::json!({"title": "Plan"});
        a.save(&content, false).expect("a save");
        let failed = Saved {
            id: a.id,
            hash: a.sending.unwrap_or_default(),
            result: Err(ApiError::Network("offline".into())),
        };
        let other = Saved {
            id: Uuid::new_v4(),
            hash: 0,
            result: Ok(None),
        };
        assert!(!a.reply(&other, Instant::now()), "not this draft's answer");
        assert!(a.reply(&failed, Instant::now()));
        assert!(a.deadline().is_some(), "tried again");
        assert!(a.status(Dates::UTC).starts_with("Not saved"));
        assert!(a.save(&content, false).is_some());
    }
}
