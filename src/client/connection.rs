//! Whether the server answers, and when to ask again.
//!
//! Every reply says whether the server was reached ([`crate::client::call::Delivery::reached`]).
//! The first time it was not, the client is *offline since* that time; it then asks again by
//! itself with exponential backoff (1 s, 2 s, 4 s … at most 30 s) through a deadline in the
//! event loop, never a tick, and says "online" again as soon as any call is answered. Screens
//! keep what they had loaded and say "could not refresh (offline since 10:42)" instead of
//! pretending the data is gone.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// The first wait before asking again.
const FIRST_RETRY: Duration = Duration::from_secs(1);
/// The longest wait between two tries.
const MAX_RETRY: Duration = Duration::from_secs(30);

/// The state of the link to the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    /// Nothing has been answered yet.
    Connecting,
    /// The last call was answered.
    Online,
    /// The server could not be reached.
    Offline {
        /// When it was first missed (wall clock, for people).
        since: DateTime<Utc>,
        /// When to try again (monotonic).
        retry_at: Instant,
        /// The wait used for `retry_at`; the next one is twice as long.
        backoff: Duration,
    },
}

impl Connection {
    /// A call was answered (`reached`) or not, at `now` / `instant`. Answers true when this
    /// changed the state from offline to online.
    pub fn observe(&mut self, reached: bool, now: DateTime<Utc>, instant: Instant) -> bool {
        match (reached, &*self) {
            (true, Connection::Offline { .. }) => {
                *self = Connection::Online;
                true
            }
            (true, _) => {
                *self = Connection::Online;
                false
            }
            (false, Connection::Offline { .. }) => false,
            (false, _) => {
                *self = Connection::Offline {
                    since: now,
                    retry_at: instant + FIRST_RETRY,
                    backoff: FIRST_RETRY,
                };
                false
            }
        }
    }

    /// A try is going out now: the next one, if it fails too, waits twice as long.
    pub fn retrying(&mut self, instant: Instant) {
        if let Connection::Offline { retry_at, backoff, .. } = self {
            *backoff = (*backoff * 2).min(MAX_RETRY);
            *retry_at = instant + *backoff;
        }
    }

    /// When to try again, while offline.
    pub fn retry_at(&self) -> Option<Instant> {
        match self {
            Connection::Offline { retry_at, .. } => Some(*retry_at),
            _ => None,
        }
    }

    /// When the server was first missed, while offline.
    pub fn offline_since(&self) -> Option<DateTime<Utc>> {
        match self {
            Connection::Offline { since, .. } => Some(*since),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offline_backs_off_and_the_first_answer_is_online_again() {
        let start = Instant::now();
        let now = Utc::now();
        let mut c = Connection::Connecting;
        assert!(!c.observe(false, now, start));
        assert_eq!(c.retry_at(), Some(start + Duration::from_secs(1)));
        assert_eq!(c.offline_since(), Some(now));
        let mut waits = Vec::new();
        for _ in 0..7 {
            c.retrying(start);
            waits.push(c.retry_at().unwrap() - start);
        }
        let secs: Vec<u64> = waits.iter().map(Duration::as_secs).collect();
        assert_eq!(secs, [2, 4, 8, 16, 30, 30, 30]);
        assert!(!c.observe(false, now, start), "a second miss keeps the first time");
        assert_eq!(c.offline_since(), Some(now));
        assert!(c.observe(true, now, start));
        assert_eq!(c, Connection::Online);
        assert_eq!(c.retry_at(), None);
    }
}
