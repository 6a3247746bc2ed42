//! Times typed by people, as the clicker's `t` (and later the incident form) takes them:
//! `-20m` or `-2h` (that long ago), `10:15` (today, local time), `p3` (the start of period 3
//! today, from the setting's bell times), or a date and time `28/11 10:15` (this year, or
//! `28/11/26 10:15`). `now` means now. A time in the future, or older than the oldest the
//! caller allows, is refused with a sentence that says what to type instead.

use chrono::{DateTime, Datelike, Duration, Local, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use super::dates::Dates;
use crate::wire::BellPeriod;

/// What to type, said in every refusal.
pub const EXAMPLES: &str = "Type a time such as -20m, 10:15, p3 or 28/11 10:15";

/// The time `text` names, at or before `now` and no older than `oldest` ago. `periods` are the
/// setting's bell times; `dates` says which clock "10:15" is read on (local, or UTC in tests).
pub fn parse(
    text: &str,
    now: DateTime<Utc>,
    periods: &[BellPeriod],
    dates: Dates,
    oldest: Duration,
) -> Result<DateTime<Utc>, String> {
    let text = text.trim().to_lowercase();
    let at = if text.is_empty() || text == "now" {
        now
    } else if let Some(ago) = text.strip_prefix('-') {
        now - ago_duration(ago).ok_or_else(|| format!("\"{text}\" is not a length of time. {EXAMPLES}."))?
    } else if let Some(number) = text.strip_prefix('p') {
        let number: u32 = number
            .parse()
            .map_err(|_| format!("\"{text}\" is not a period. {EXAMPLES}."))?;
        let period = periods
            .iter()
            .find(|p| p.number == number)
            .ok_or_else(|| match periods.len() {
                0 => "The setting has no bell times, so p1… cannot be used: type a time such as 10:15.".to_string(),
                n => format!("There is no period {number}: the day has periods 1 to {n}."),
            })?;
        let at = local(today(now, dates), period.starts, dates)?;
        if at > now {
            return Err(format!(
                "{} has not started yet today (it starts at {}).",
                period.name,
                period.starts.format("%H:%M")
            ));
        }
        at
    } else if let Some((day, time)) = text.split_once(' ') {
        local(date(day, today(now, dates))?, clock(time.trim())?, dates)?
    } else {
        local(today(now, dates), clock(&text)?, dates)?
    };
    if at > now {
        return Err(format!(
            "{} is later than now: a behaviour is recorded when it happened.",
            dates.short(at)
        ));
    }
    if now - at > oldest {
        return Err(format!(
            "{} is more than {} days ago: this takes times from the last {} days.",
            dates.short(at),
            oldest.num_days(),
            oldest.num_days()
        ));
    }
    Ok(at)
}

/// What to type for a time ahead, said in every refusal of [`parse_ahead`].
pub const AHEAD_EXAMPLES: &str = "Type a time such as 17:00, tomorrow 17:00 or 05/12/26 16:00";

/// A time ahead of `now` (when a cover account ends): `17:00` (today), `tomorrow 17:00`, or a
/// UK date and time `05/12 16:00` / `05/12/26 16:00`, read on `dates`' clock. It must be later
/// than `now` and at most `latest` ahead; a refusal says what to type instead.
pub fn parse_ahead(text: &str, now: DateTime<Utc>, dates: Dates, latest: Duration) -> Result<DateTime<Utc>, String> {
    let text = text.trim().to_lowercase();
    let bad = |what: &str| format!("\"{what}\" is not a time. {AHEAD_EXAMPLES}.");
    let today = today(now, dates);
    let (day, time) = match text.split_once(' ') {
        Some(("tomorrow", time)) => (today.succ_opt().ok_or_else(|| bad(&text))?, time.trim()),
        Some(("today", time)) => (today, time.trim()),
        Some((day, time)) => (
            NaiveDate::parse_from_str(day, "%d/%m/%y")
                .or_else(|_| NaiveDate::parse_from_str(&format!("{day}/{}", today.format("%Y")), "%d/%m/%Y"))
                .map_err(|_| bad(&text))?,
            time.trim(),
        ),
        None => (today, text.as_str()),
    };
    let time = clock(time).map_err(|_| bad(&text))?;
    let at = local(day, time, dates)?;
    if at <= now {
        return Err(format!("{} has passed already. {AHEAD_EXAMPLES}.", dates.short(at)));
    }
    if at - now > latest {
        return Err(format!(
            "{} is more than {} days ahead: choose a time within {} days.",
            dates.short(at),
            latest.num_days(),
            latest.num_days()
        ));
    }
    Ok(at)
}

/// `20m`, `2h`, `1h30m`, `90s`, or a bare number of minutes.
fn ago_duration(text: &str) -> Option<Duration> {
    if let Ok(minutes) = text.parse::<i64>() {
        return (0..=100_000).contains(&minutes).then(|| Duration::minutes(minutes));
    }
    let mut total = Duration::zero();
    let mut digits = String::new();
    for c in text.chars() {
        match c {
            '0'..='9' => digits.push(c),
            'h' | 'm' | 's' | 'd' => {
                let n: i64 = digits.parse().ok().filter(|n| *n <= 100_000)?;
                digits.clear();
                total += match c {
                    'd' => Duration::days(n),
                    'h' => Duration::hours(n),
                    'm' => Duration::minutes(n),
                    _ => Duration::seconds(n),
                };
            }
            _ => return None,
        }
    }
    digits.is_empty().then_some(total)
}

/// `10:15`, `10.15` or `1015`.
fn clock(text: &str) -> Result<NaiveTime, String> {
    let cleaned = text.replace('.', ":");
    ["%H:%M", "%H%M"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(&cleaned, f).ok())
        .ok_or_else(|| format!("\"{text}\" is not a time of day. {EXAMPLES}."))
}

/// `28/11` (this year, or last year when that would be ahead), `28/11/26` or `28/11/2026`
/// (also the audit log's period filter and the Analytics dates).
pub fn date(text: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let bad = || format!("\"{text}\" is not a date. {EXAMPLES}.");
    let year = text.split('/').nth(2).unwrap_or_default();
    let format = if year.len() == 4 { "%d/%m/%Y" } else { "%d/%m/%y" };
    if let Ok(day) = NaiveDate::parse_from_str(text, format) {
        return Ok(day);
    }
    let this_year =
        NaiveDate::parse_from_str(&format!("{text}/{}", today.format("%Y")), "%d/%m/%Y").map_err(|_| bad())?;
    // `31/12` typed on 2 January means last year's.
    Ok(match this_year > today {
        true => this_year.with_year(this_year.year() - 1).unwrap_or(this_year),
        false => this_year,
    })
}

/// Today's date on the clock `dates` reads.
fn today(now: DateTime<Utc>, dates: Dates) -> NaiveDate {
    match dates.utc {
        true => now.date_naive(),
        false => now.with_timezone(&Local).date_naive(),
    }
}

/// `day` at `time` on the clock `dates` reads, as an instant (the earlier one when the clocks
/// go back; refused in the hour that does not exist when they go forward).
fn local(day: NaiveDate, time: NaiveTime, dates: Dates) -> Result<DateTime<Utc>, String> {
    let naive = NaiveDateTime::new(day, time);
    if dates.utc {
        return Ok(Utc.from_utc_datetime(&naive));
    }
    match Local.from_local_datetime(&naive) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => Ok(at.with_timezone(&Utc)),
        LocalResult::None => Err(format!(
            "{} did not happen here (the clocks went forward).",
            time.format("%H:%M")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 2, 11, 30, 0).single().unwrap()
    }

    fn periods() -> Vec<BellPeriod> {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
        vec![
            BellPeriod {
                number: 1,
                name: "Period 1".into(),
                starts: t(8, 50),
                ends: t(9, 50),
            },
            BellPeriod {
                number: 3,
                name: "Period 3".into(),
                starts: t(11, 10),
                ends: t(12, 10),
            },
            BellPeriod {
                number: 5,
                name: "Period 5".into(),
                starts: t(14, 0),
                ends: t(15, 0),
            },
        ]
    }

    fn at(text: &str) -> Result<String, String> {
        parse(text, now(), &periods(), Dates::UTC, Duration::days(7)).map(|t| t.to_rfc3339())
    }

    #[test]
    fn times_ahead_for_cover_accounts() {
        let ahead = |t: &str| parse_ahead(t, now(), Dates::UTC, Duration::days(90)).map(|t| t.to_rfc3339());
        assert_eq!(ahead("17:00").unwrap(), "2026-12-02T17:00:00+00:00");
        assert_eq!(ahead("Tomorrow 17:00").unwrap(), "2026-12-03T17:00:00+00:00");
        assert_eq!(ahead("05/12/26 16:00").unwrap(), "2026-12-05T16:00:00+00:00");
        assert_eq!(ahead("05/12 16:00").unwrap(), "2026-12-05T16:00:00+00:00");
        assert!(ahead("09:00").unwrap_err().contains("has passed already"));
        assert!(ahead("01/06/27 09:00").unwrap_err().contains("more than 90 days ahead"));
        assert!(ahead("teatime").unwrap_err().contains("17:00"));
        assert!(ahead("").unwrap_err().contains("is not a time"));
    }

    #[test]
    fn the_forms_of_a_time() {
        assert_eq!(at("now").unwrap(), "2026-12-02T11:30:00+00:00");
        assert_eq!(at("-20m").unwrap(), "2026-12-02T11:10:00+00:00");
        assert_eq!(at("-2h").unwrap(), "2026-12-02T09:30:00+00:00");
        assert_eq!(at("-1h30m").unwrap(), "2026-12-02T10:00:00+00:00");
        assert_eq!(at("-45").unwrap(), "2026-12-02T10:45:00+00:00");
        assert_eq!(at("10:15").unwrap(), "2026-12-02T10:15:00+00:00");
        assert_eq!(at(" 1015 ").unwrap(), "2026-12-02T10:15:00+00:00");
        assert_eq!(at("P3").unwrap(), "2026-12-02T11:10:00+00:00");
        assert_eq!(at("28/11 10:15").unwrap(), "2026-11-28T10:15:00+00:00");
        assert_eq!(at("28/11/26 10:15").unwrap(), "2026-11-28T10:15:00+00:00");
    }

    #[test]
    fn the_future_the_distant_past_and_nonsense_are_refused_with_what_to_type() {
        assert!(at("12:00").unwrap_err().contains("later than now"));
        assert!(at("p5").unwrap_err().contains("has not started yet today"));
        assert!(at("p4").unwrap_err().contains("There is no period 4"));
        assert!(at("-8d").unwrap_err().contains("more than 7 days ago"));
        assert!(at("20/11 10:00").unwrap_err().contains("more than 7 days ago"));
        for nonsense in ["soon", "-x", "25:00", "p", "pX", "31/02 10:00", "-99999999999m"] {
            let error = at(nonsense).unwrap_err();
            assert!(error.contains("-20m"), "{nonsense}: {error}");
        }
        let none = parse("p1", now(), &[], Dates::UTC, Duration::days(7)).unwrap_err();
        assert!(none.contains("no bell times"), "{none}");
    }

    #[test]
    fn a_day_ahead_of_today_means_last_year() {
        let new_year = Utc.with_ymd_and_hms(2027, 1, 2, 9, 0, 0).single().unwrap();
        let t = parse("31/12 10:00", new_year, &[], Dates::UTC, Duration::days(7)).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-12-31T10:00:00+00:00");
    }
}
