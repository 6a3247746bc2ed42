//! The server's clock, injected so that tests can move time.
//!
//! Everything that depends on time (session idle and absolute expiry, challenge expiry, TOTP
//! steps, temporary password expiry, audit timestamps) reads [`Clock::now`]. Production uses
//! [`SystemClock`]; tests use [`TestClock`] and move it with `advance`/`set` instead of sleeping.

use std::sync::Mutex;

use chrono::{DateTime, Days, NaiveDate, TimeDelta, TimeZone, Utc};

/// The setting's time zone: "today" (a cover account's default end, the demo's day) is there.
pub const SETTING_TZ: chrono_tz::Tz = chrono_tz::Europe::London;

/// The end of the setting's today (its next local midnight) at unix time `now`, as unix seconds.
pub fn end_of_today(now: i64) -> i64 {
    let local = DateTime::from_timestamp(now, 0)
        .unwrap_or_default()
        .with_timezone(&SETTING_TZ);
    let tomorrow = local
        .date_naive()
        .checked_add_days(Days::new(1))
        .unwrap_or(local.date_naive());
    let midnight = tomorrow.and_hms_opt(0, 0, 0).unwrap_or_default();
    SETTING_TZ
        .from_local_datetime(&midnight)
        .earliest()
        .map_or(now + 86_400, |t| t.timestamp())
}

/// Unix time of the start (00:00 in the setting's time zone) of `day`: midnight GMT, or 23:00
/// UTC the day before while British Summer Time is in force.
pub fn day_start(day: NaiveDate) -> i64 {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    SETTING_TZ
        .from_local_datetime(&midnight)
        .earliest()
        .map_or_else(|| midnight.and_utc().timestamp(), |t| t.timestamp())
}

/// The setting's local time at unix time `unix`.
pub fn local_time(unix: i64) -> DateTime<chrono_tz::Tz> {
    DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .with_timezone(&SETTING_TZ)
}

/// The setting's date at unix time `unix`.
pub fn local_date(unix: i64) -> NaiveDate {
    local_time(unix).date_naive()
}

/// A source of the current UTC time.
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The real wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to.
#[derive(Debug)]
pub struct TestClock {
    now: Mutex<DateTime<Utc>>,
}

impl TestClock {
    /// A clock stopped at `start`.
    pub fn new(start: DateTime<Utc>) -> TestClock {
        TestClock { now: Mutex::new(start) }
    }

    /// A clock stopped at the current wall-clock time (whole seconds).
    pub fn starting_now() -> TestClock {
        let now = Utc::now();
        let whole = DateTime::from_timestamp(now.timestamp(), 0).unwrap_or(now);
        TestClock::new(whole)
    }

    /// The time the clock shows.
    pub fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Move the clock forward by `by`.
    pub fn advance(&self, by: std::time::Duration) {
        let delta = TimeDelta::from_std(by).unwrap_or(TimeDelta::MAX);
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now = now.checked_add_signed(delta).unwrap_or(*now);
    }

    /// Set the clock to `to` (it may go backwards, as a badly set server clock would).
    pub fn set(&self, to: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(|e| e.into_inner()) = to;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        TestClock::now(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_clock_moves_only_when_told() {
        let start = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let clock = TestClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(std::time::Duration::from_secs(90));
        assert_eq!(clock.now().timestamp(), 1_700_000_090);
        clock.set(start);
        assert_eq!(Clock::now(&clock), start);
    }

    /// The end of today is the next midnight in London, in winter (GMT) and summer (BST).
    #[test]
    fn end_of_today_is_the_next_london_midnight() {
        let winter = Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap().timestamp();
        let expected = Utc.with_ymd_and_hms(2026, 12, 3, 0, 0, 0).unwrap().timestamp();
        assert_eq!(end_of_today(winter), expected);
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 23, 30, 0).unwrap().timestamp();
        let expected = Utc.with_ymd_and_hms(2026, 7, 2, 23, 0, 0).unwrap().timestamp();
        assert_eq!(
            end_of_today(summer),
            expected,
            "00:30 BST on 2 July: ends at midnight BST"
        );
    }
}
