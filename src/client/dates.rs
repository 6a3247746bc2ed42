//! Dates and times as the client shows them: UK style everywhere, in one of two forms
//! (`01/12/26 10:42` in tables, `Tuesday 1 December 2026, 10:42` in a record's view), never
//! ISO dates on screen.
//!
//! Times arrive from the server in UTC and are shown in the computer's local time zone, except
//! where [`Dates::utc`] is chosen (snapshot tests, so that they do not depend on the machine).

use chrono::{DateTime, Datelike, Local, Timelike, Utc};

/// How to turn server times into words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dates {
    /// Show UTC rather than local time.
    pub utc: bool,
}

impl Dates {
    /// Local time (the real client).
    pub const LOCAL: Dates = Dates { utc: false };
    /// UTC (tests).
    pub const UTC: Dates = Dates { utc: true };

    fn format(&self, at: DateTime<Utc>, pattern: &str) -> String {
        if self.utc {
            at.format(pattern).to_string()
        } else {
            at.with_timezone(&Local).format(pattern).to_string()
        }
    }

    /// `01/12/26 10:42`, for tables. Written by hand rather than through a `strftime` pattern,
    /// which chrono parses again at every call: a table formats a date on every row of every
    /// frame.
    pub fn short(&self, at: DateTime<Utc>) -> String {
        let local = if self.utc {
            at.naive_utc()
        } else {
            at.with_timezone(&Local).naive_local()
        };
        format!(
            "{:02}/{:02}/{:02} {:02}:{:02}",
            local.day(),
            local.month(),
            local.year().rem_euclid(100),
            local.hour(),
            local.minute()
        )
    }

    /// When something ends, for tables: `end of 02/12/26` for a midnight (the end of that day,
    /// not "03/12/26 00:00", which reads as the next day), else as [`Dates::short`].
    pub fn end(&self, at: DateTime<Utc>) -> String {
        let local = if self.utc {
            at.naive_utc()
        } else {
            at.with_timezone(&Local).naive_local()
        };
        if local.hour() == 0 && local.minute() == 0 {
            let day = local - chrono::Duration::days(1);
            format!(
                "end of {:02}/{:02}/{:02}",
                day.day(),
                day.month(),
                day.year().rem_euclid(100)
            )
        } else {
            self.short(at)
        }
    }

    /// `Tuesday 1 December 2026, 10:42`, for a record's view.
    pub fn long(&self, at: DateTime<Utc>) -> String {
        self.format(at, "%A %-d %B %Y, %H:%M")
    }

    /// `1 Dec`, for lists where the year is plain.
    pub fn day(&self, at: DateTime<Utc>) -> String {
        self.format(at, "%-d %b")
    }

    /// `10:42`.
    pub fn time(&self, at: DateTime<Utc>) -> String {
        self.format(at, "%H:%M")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn uk_forms() {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 10, 42, 0).unwrap();
        let d = Dates::UTC;
        assert_eq!(d.short(at), "01/12/26 10:42");
        assert_eq!(d.long(at), "Tuesday 1 December 2026, 10:42");
        assert_eq!(d.day(at), "1 Dec");
        assert_eq!(d.time(at), "10:42");
        let midnight = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(d.end(midnight), "end of 31/12/26", "the day it ends, not the next");
        assert_eq!(d.end(at), "01/12/26 10:42");
        let early = Utc.with_ymd_and_hms(2005, 3, 9, 7, 5, 0).unwrap();
        assert_eq!(d.short(early), early.format("%d/%m/%y %H:%M").to_string());
        assert_eq!(d.short(early), "09/03/05 07:05");
    }
}
