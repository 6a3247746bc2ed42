//! The outbox: records made on this client that the server has not confirmed yet (clicks,
//! undos, communications, responses, incident reports and their edits), in memory only (nothing about pupils goes to disk).
//!
//! A screen hands a record to the App ([`crate::client::screens::Cx::send`]) and shows it as
//! done at once; the App puts it here and sends it. Each record carries a client-made UUID, so
//! sending it again after a lost answer records it once (the server answers the same record).
//! - **Retries**: a record the server could not be reached for, or that met a server error
//!   (5xx), a time-out (408) or the rate limit (429), waits and is sent again with backoff (1 s,
//!   2 s, 4 s … at most 30 s) until it lands: nothing lost, nothing doubled, and a click keeps
//!   the time of its key press (`occurred_at` is part of the record).
//! - **Session**: records belong to the user who made them. When the session ends they wait,
//!   and go out when that user signs in again; another user never sends them.
//! - **Refusals**: any other answer (the server said no: a 4xx) takes the record out and says
//!   why, so it is not retried for ever.
//! - **Undo**: a click still waiting is simply taken out; one on its way is undone once it
//!   lands; one that landed is undone with `DELETE /clicks/{id}`, which waits here like any
//!   record (and after its click).
//! - At most [`MAX_IN_FLIGHT`] records are on their way at once, oldest first, so a burst of a
//!   thousand clicks neither floods the server nor reorders an undo before its click.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::api::{ApiError, Request};
use crate::wire::{IncidentEdit, NewClick, NewCommunication, NewIncident, NewResponse, PupilName};

/// The most records on their way at once.
pub const MAX_IN_FLIGHT: usize = 8;
/// The first wait after a failed try.
const FIRST_RETRY: Duration = Duration::from_secs(1);
/// The longest wait between two tries.
const MAX_RETRY: Duration = Duration::from_secs(30);

/// A record to send.
#[derive(Debug, Clone)]
pub enum Outgoing {
    /// `POST /clicks`.
    Click {
        /// The click.
        click: NewClick,
        /// The behaviour's name, for messages.
        behaviour: String,
        /// The individual's name, for messages (drawn through privacy).
        individual: PupilName,
    },
    /// `DELETE /clicks/{id}`.
    Undo {
        /// The click to undo.
        click: Uuid,
        /// The behaviour's name, for messages.
        behaviour: String,
        /// The individual's name, for messages (drawn through privacy).
        individual: PupilName,
    },
    /// `POST /communications`.
    Communication {
        /// The communication.
        communication: NewCommunication,
        /// The individual's name, for messages (drawn through privacy).
        individual: PupilName,
    },
    /// `POST /communications/{id}/responses`.
    Response {
        /// The communication answered.
        communication: Uuid,
        /// The response.
        response: NewResponse,
    },
    /// `POST /incidents`, or for an edit `PUT /incidents/{ref}`.
    Incident {
        /// The report.
        report: Box<NewIncident>,
        /// For an edit: the incident's reference and the revision the edit started from.
        edit: Option<(String, u32)>,
        /// The first individual it is about, for messages (drawn through privacy).
        individual: PupilName,
    },
}

impl Outgoing {
    /// The id that names this record in the outbox (the record's own UUID; for an undo, a new
    /// one).
    fn key(&self) -> Uuid {
        match self {
            Outgoing::Click { click, .. } => click.id,
            Outgoing::Undo { .. } => Uuid::new_v4(),
            Outgoing::Communication { communication, .. } => communication.id,
            Outgoing::Response { response, .. } => response.id,
            Outgoing::Incident { report, edit: None, .. } => report.id,
            // Two edits of one incident are two records.
            Outgoing::Incident { edit: Some(_), .. } => Uuid::new_v4(),
        }
    }

    /// The request that records it.
    pub fn request(&self) -> Request {
        match self {
            Outgoing::Click { click, .. } => Request::post("/clicks").json(click),
            Outgoing::Undo { click, .. } => Request::delete(format!("/clicks/{click}")),
            Outgoing::Communication { communication, .. } => Request::post("/communications").json(communication),
            Outgoing::Response {
                communication,
                response,
            } => Request::post(format!("/communications/{communication}/responses")).json(response),
            Outgoing::Incident { report, edit: None, .. } => Request::post("/incidents").json(report),
            Outgoing::Incident {
                report,
                edit: Some((reference, base)),
                ..
            } => Request::put(format!("/incidents/{reference}")).json(&IncidentEdit {
                base_revision: *base,
                report: (**report).clone(),
            }),
        }
        .session()
    }

    /// What it is, in a few words for a message ("the click Shouting out for J. S."), with the
    /// name as `name` draws it.
    pub fn describe(&self, name: impl Fn(&PupilName) -> String) -> String {
        match self {
            Outgoing::Click {
                behaviour, individual, ..
            } => format!("the click {behaviour} for {}", name(individual)),
            Outgoing::Undo {
                behaviour, individual, ..
            } => format!("the undo of {behaviour} for {}", name(individual)),
            Outgoing::Communication { individual, .. } => format!("the communication about {}", name(individual)),
            Outgoing::Response { .. } => "the response".to_string(),
            Outgoing::Incident { individual, edit, .. } => match edit {
                None => format!("the incident report about {}", name(individual)),
                Some((reference, _)) => format!("the edit of {reference}"),
            },
        }
    }
}

/// Where a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Waiting to be sent (again).
    Waiting,
    /// On its way.
    InFlight,
}

/// One record in the outbox.
#[derive(Debug)]
struct Entry {
    key: Uuid,
    what: Outgoing,
    state: State,
    /// It went out at least once (the server may have it, even if no answer came).
    tried: bool,
    /// Undo the click as soon as it lands.
    undo_when_landed: bool,
}

/// What an answer did to a record.
#[derive(Debug)]
pub enum Settled {
    /// It landed (and is out of the outbox).
    Landed(Outgoing),
    /// It waits to be sent again.
    Waiting,
    /// The server refused it: it is out of the outbox, and the user must be told.
    Refused(Outgoing, ApiError),
    /// Not a record of this outbox (already settled).
    Unknown,
}

/// What an undo did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undone {
    /// The click had not been sent: it is gone, and nothing goes to the server.
    BeforeSending,
    /// The undo waits for the click to land, or to be sent.
    Queued,
}

/// The outbox (see the module documentation).
#[derive(Debug, Default)]
pub struct Outbox {
    /// Whose records these are.
    owner: Option<i64>,
    entries: VecDeque<Entry>,
    backoff: Option<Duration>,
    retry_at: Option<Instant>,
}

impl Outbox {
    /// An empty outbox.
    pub fn new() -> Outbox {
        Outbox::default()
    }

    /// How many records wait or are on their way.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when every record has landed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The user whose records these are (while any wait).
    pub fn owner(&self) -> Option<i64> {
        self.owner.filter(|_| !self.is_empty())
    }

    /// How many are clicks (for the question asked before quitting).
    pub fn clicks(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| matches!(e.what, Outgoing::Click { .. }))
            .count()
    }

    /// Add a record of `user`. Records of another user are dropped first (they were not theirs
    /// to send); answers how many were.
    pub fn push(&mut self, user: i64, what: Outgoing) -> usize {
        let dropped = self.claim(user);
        self.entries.push_back(Entry {
            key: what.key(),
            what,
            state: State::Waiting,
            tried: false,
            undo_when_landed: false,
        });
        dropped
    }

    /// `user` is signed in: their records go on; another user's are dropped (answers how many).
    pub fn claim(&mut self, user: i64) -> usize {
        let dropped = match self.owner {
            Some(owner) if owner != user => std::mem::take(&mut self.entries).len(),
            _ => 0,
        };
        self.owner = Some(user);
        dropped
    }

    /// Undo the click `id`: take it out if it was never sent, or queue its undo (also for one
    /// that went out without an answer: the server may have it).
    pub fn undo(&mut self, id: Uuid, behaviour: String, individual: PupilName) -> Undone {
        let at = self.entries.iter().position(|e| e.key == id);
        match at.map(|at| (at, self.entries[at].tried)) {
            Some((at, false)) => {
                self.entries.remove(at);
                Undone::BeforeSending
            }
            Some((at, true)) => {
                self.entries[at].undo_when_landed = true;
                Undone::Queued
            }
            None => {
                self.entries.push_back(Entry {
                    key: Uuid::new_v4(),
                    what: Outgoing::Undo {
                        click: id,
                        behaviour,
                        individual,
                    },
                    state: State::Waiting,
                    tried: false,
                    undo_when_landed: false,
                });
                Undone::Queued
            }
        }
    }

    /// The records to send now, oldest first, each with its key (marked as on their way): none
    /// while a retry waits, at most [`MAX_IN_FLIGHT`] on their way, and an undo only once its
    /// click is no longer on its way.
    pub fn ready(&mut self, now: Instant) -> Vec<(Uuid, Request)> {
        if self.retry_at.is_some_and(|at| now < at) {
            return Vec::new();
        }
        self.retry_at = None;
        let mut in_flight = self.entries.iter().filter(|e| e.state == State::InFlight).count();
        let mut out = Vec::new();
        for at in 0..self.entries.len() {
            if in_flight >= MAX_IN_FLIGHT {
                break;
            }
            let entry = &self.entries[at];
            if entry.state != State::Waiting {
                continue;
            }
            if let Outgoing::Undo { click, .. } = &entry.what
                && self.entries.iter().any(|e| e.key == *click)
            {
                continue;
            }
            let entry = &mut self.entries[at];
            entry.state = State::InFlight;
            entry.tried = true;
            in_flight += 1;
            out.push((entry.key, entry.what.request()));
        }
        out
    }

    /// When to try again after a failure, if a retry waits.
    pub fn retry_at(&self) -> Option<Instant> {
        self.retry_at.filter(|_| !self.is_empty())
    }

    /// The server answers again: what waits goes now, not at the end of its backoff.
    pub fn retry_now(&mut self) {
        self.retry_at = None;
        self.backoff = None;
    }

    /// The answer to the record `key` came at `now`.
    pub fn settle(&mut self, key: Uuid, result: Result<(), ApiError>, now: Instant) -> Settled {
        let Some(at) = self.entries.iter().position(|e| e.key == key) else {
            return Settled::Unknown;
        };
        match result {
            Ok(()) => {
                let Some(entry) = self.entries.remove(at) else {
                    return Settled::Unknown;
                };
                self.backoff = None;
                if let (
                    Outgoing::Click {
                        click,
                        behaviour,
                        individual,
                    },
                    true,
                ) = (&entry.what, entry.undo_when_landed)
                {
                    self.undo(click.id, behaviour.clone(), individual.clone());
                }
                Settled::Landed(entry.what)
            }
            Err(e) if retried(&e) => {
                self.entries[at].state = State::Waiting;
                // Nothing reached the server (the connection failed): as if never sent.
                if e.unreached() {
                    self.entries[at].tried = false;
                }
                if !e.session_ended() {
                    let wait = self.backoff.map_or(FIRST_RETRY, |b| (b * 2).min(MAX_RETRY));
                    self.backoff = Some(wait);
                    self.retry_at = Some(now + wait);
                }
                Settled::Waiting
            }
            Err(e) => match self.entries.remove(at) {
                Some(entry) => Settled::Refused(entry.what, e),
                None => Settled::Unknown,
            },
        }
    }

    /// The request of every record still here, oldest first.
    pub fn requests(&self) -> Vec<Request> {
        self.entries.iter().map(|e| e.what.request()).collect()
    }

    /// Everything waiting or on its way, sent again from the start (after the token changed).
    pub fn resend_all(&mut self) {
        for entry in &mut self.entries {
            entry.state = State::Waiting;
        }
    }

    /// Forget everything (the user chose to lose it).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.retry_at = None;
        self.backoff = None;
    }
}

/// True when a failed record is sent again: the server was not reached or did not answer, had
/// an error of its own, was busy, timed out or limited the rate, or the session must be renewed
/// first. Anything else is the server refusing this record.
fn retried(e: &ApiError) -> bool {
    match e {
        ApiError::Network(_) | ApiError::NoAnswer(_) | ApiError::Untrusted(_) => true,
        ApiError::Server { status, .. } if *status >= 500 || *status == 408 || *status == 429 => true,
        ApiError::BadResponse { status, .. } => *status >= 500,
        other => other.session_ended(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;

    fn click(n: i64) -> Outgoing {
        Outgoing::Click {
            click: NewClick {
                id: Uuid::new_v4(),
                individual_id: n,
                behaviour_id: 1,
                occurred_at: Utc::now(),
            },
            behaviour: "On task".into(),
            individual: PupilName::new("Ann Smith"),
        }
    }

    fn server(status: u16, code: &str) -> ApiError {
        ApiError::Server {
            status,
            code: code.into(),
            message: String::new(),
        }
    }

    fn id_of(what: &Outgoing) -> Uuid {
        match what {
            Outgoing::Click { click, .. } => click.id,
            _ => unreachable!(),
        }
    }

    #[test]
    fn at_most_eight_go_at_once_and_each_lands_once() {
        let now = Instant::now();
        let mut outbox = Outbox::new();
        for n in 0..20 {
            outbox.push(1, click(n));
        }
        let first = outbox.ready(now);
        assert_eq!(first.len(), MAX_IN_FLIGHT);
        assert!(
            outbox.ready(now).is_empty(),
            "nothing more while eight are on their way"
        );
        for (key, _) in &first {
            assert!(matches!(outbox.settle(*key, Ok(()), now), Settled::Landed(_)));
            assert!(matches!(outbox.settle(*key, Ok(()), now), Settled::Unknown));
        }
        assert_eq!(outbox.len(), 12);
        assert_eq!(outbox.ready(now).len(), MAX_IN_FLIGHT);
    }

    #[test]
    fn failures_wait_with_backoff_and_refusals_are_dropped() {
        let now = Instant::now();
        let mut outbox = Outbox::new();
        outbox.push(1, click(1));
        outbox.push(1, click(2));
        let sent = outbox.ready(now);
        let network = ApiError::Network("down".into());
        assert!(matches!(
            outbox.settle(sent[0].0, Err(network.clone()), now),
            Settled::Waiting
        ));
        assert_eq!(outbox.retry_at(), Some(now + FIRST_RETRY));
        assert!(outbox.ready(now).is_empty(), "it waits for its retry");
        assert!(matches!(
            outbox.settle(sent[1].0, Err(server(503, "server_busy")), now),
            Settled::Waiting
        ));
        assert_eq!(outbox.retry_at(), Some(now + 2 * FIRST_RETRY), "the wait doubles");
        let again = outbox.ready(now + Duration::from_secs(2));
        assert_eq!(again.len(), 2, "both go again, oldest first");
        assert_eq!(again[0].0, sent[0].0);
        assert!(matches!(
            outbox.settle(again[0].0, Err(server(404, "not_found")), now),
            Settled::Refused(..)
        ));
        assert!(matches!(outbox.settle(again[1].0, Ok(()), now), Settled::Landed(_)));
        assert!(outbox.is_empty());
    }

    #[test]
    fn an_expired_session_keeps_records_for_their_owner_only() {
        let now = Instant::now();
        let mut outbox = Outbox::new();
        outbox.push(7, click(1));
        let sent = outbox.ready(now);
        assert!(matches!(
            outbox.settle(sent[0].0, Err(server(401, "session_expired")), now),
            Settled::Waiting
        ));
        assert_eq!(outbox.retry_at(), None, "it waits for the sign-in, not a timer");
        assert_eq!(outbox.claim(7), 0);
        assert_eq!(outbox.len(), 1);
        assert_eq!(outbox.claim(8), 1, "another user never sends them");
        assert!(outbox.is_empty());
    }

    #[test]
    fn undo_takes_out_a_waiting_click_and_follows_one_on_its_way() {
        let now = Instant::now();
        let mut outbox = Outbox::new();
        let waiting = click(1);
        let waiting_id = id_of(&waiting);
        outbox.push(1, waiting);
        let name = || PupilName::new("Ann Smith");
        assert_eq!(outbox.undo(waiting_id, "x".into(), name()), Undone::BeforeSending);
        assert!(outbox.is_empty());

        let flying = click(2);
        let flying_id = id_of(&flying);
        outbox.push(1, flying);
        let sent = outbox.ready(now);
        assert_eq!(outbox.undo(flying_id, "x".into(), name()), Undone::Queued);
        assert!(outbox.ready(now).is_empty());
        outbox.settle(sent[0].0, Ok(()), now);
        let undo = outbox.ready(now);
        assert_eq!(undo.len(), 1);
        assert_eq!(undo[0].1.line(), format!("DELETE /clicks/{flying_id}"));
    }

    #[test]
    fn an_undo_waits_for_its_click_to_be_sent_again() {
        let now = Instant::now();
        let mut outbox = Outbox::new();
        let first = click(1);
        let id = id_of(&first);
        outbox.push(1, first);
        let sent = outbox.ready(now);
        outbox.undo(id, "x".into(), PupilName::new("A B"));
        outbox.settle(sent[0].0, Err(ApiError::NoAnswer("lost".into())), now);
        let later = now + Duration::from_secs(5);
        let again = outbox.ready(later);
        assert_eq!(again.len(), 1, "the click again, never its undo first");
        assert_eq!(again[0].1.line(), "POST /clicks");
    }
}
