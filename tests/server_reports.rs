//! Analytics over HTTP (`GET /reports/{type}` and `/reports/{type}/incidents`), checked against
//! figures this test computes itself from the raw demo rows: it reads the tables, applies the
//! access rule, the filters and the period in Rust (not with the server's SQL) and counts.
//! Several seeds, several filters, the teacher (access limited) and the pastoral lead (sees
//! all); the CSV parsed back equals the JSON; the incidents behind each row are as many as the
//! row counts; bad queries get a clear 400.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};

use bsmart::server::store::{Grouping, ReportFilter, ReportRecords, Viewer};
use bsmart::server::testing::TestOptions;
use bsmart::wire::{IncidentPage, Report, ReportKind};
use chrono::{Datelike, Duration, NaiveDate, TimeZone, Timelike};
use chrono_tz::Europe::London;
use common::*;
use sqlx::Row;

/// Unix time of 00:00 London time on `day`.
fn midnight(day: NaiveDate) -> i64 {
    London
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap())
        .earliest()
        .unwrap()
        .timestamp()
}

/// One record of a report, as this test sees it: when, who (every individual named), which
/// staff, and what.
#[derive(Debug, Clone, Default)]
struct Rec {
    at: i64,
    id: String,
    /// Incidents: the individuals it is about (primary and subjects); others: the one.
    subjects: Vec<i64>,
    /// Everyone named (subjects and those involved).
    named: Vec<i64>,
    staff: Vec<i64>,
    category: i64,
    location: i64,
    behaviour: i64,
    /// Communications: positive, negative or na.
    sentiment: String,
    techniques: Vec<(i64, i64)>,
    kind: String,
    injury: bool,
    discriminatory: bool,
}

/// The raw demo data.
struct Raw {
    incidents: Vec<Rec>,
    clicks: Vec<Rec>,
    communications: Vec<Rec>,
    behaviours: HashMap<i64, String>,
    /// (user id) -> the individuals they may see, for the staff role.
    individuals: Vec<(i64, String, String)>,
}

async fn raw(api: &Api) -> Raw {
    let mut db = open_read_only(&api.srv.db_path).await;
    let rows = sqlx::query(
        "SELECT id, kind, individual_id, category_id, location_id, occurred_at, reported_by, injury, discriminatory
           FROM incidents WHERE deleted_at IS NULL",
    )
    .fetch_all(&mut db)
    .await
    .unwrap();
    let mut incidents: Vec<Rec> = rows
        .iter()
        .map(|r| {
            let primary: i64 = r.get(2);
            Rec {
                id: r.get(0),
                kind: r.get(1),
                subjects: vec![primary],
                named: vec![primary],
                category: r.get(3),
                location: r.get(4),
                at: r.get(5),
                staff: vec![r.get(6)],
                injury: r.get::<i64, _>(7) == 1,
                discriminatory: r.get::<i64, _>(8) == 1,
                ..Rec::default()
            }
        })
        .collect();
    let index: HashMap<String, usize> = incidents.iter().enumerate().map(|(i, r)| (r.id.clone(), i)).collect();
    for r in sqlx::query("SELECT incident_id, individual_id, role FROM incident_individuals")
        .fetch_all(&mut db)
        .await
        .unwrap()
    {
        let Some(&i) = index.get(&r.get::<String, _>(0)) else {
            continue;
        };
        let who: i64 = r.get(1);
        if r.get::<String, _>(2) == "subject" && !incidents[i].subjects.contains(&who) {
            incidents[i].subjects.push(who);
        }
        if !incidents[i].named.contains(&who) {
            incidents[i].named.push(who);
        }
    }
    for r in sqlx::query("SELECT incident_id, user_id FROM incident_staff")
        .fetch_all(&mut db)
        .await
        .unwrap()
    {
        let Some(&i) = index.get(&r.get::<String, _>(0)) else {
            continue;
        };
        let who: i64 = r.get(1);
        if !incidents[i].staff.contains(&who) {
            incidents[i].staff.push(who);
        }
    }
    for r in sqlx::query("SELECT incident_id, technique_id, effectiveness FROM incident_techniques")
        .fetch_all(&mut db)
        .await
        .unwrap()
    {
        let Some(&i) = index.get(&r.get::<String, _>(0)) else {
            continue;
        };
        incidents[i].techniques.push((r.get(1), r.get(2)));
    }
    let clicks =
        sqlx::query("SELECT individual_id, behaviour_id, user_id, occurred_at FROM clicks WHERE deleted_at IS NULL")
            .fetch_all(&mut db)
            .await
            .unwrap()
            .iter()
            .map(|r| Rec {
                subjects: vec![r.get(0)],
                named: vec![r.get(0)],
                behaviour: r.get(1),
                staff: vec![r.get(2)],
                at: r.get(3),
                ..Rec::default()
            })
            .collect();
    let communications = sqlx::query("SELECT individual_id, author_id, sentiment, created_at FROM communications")
        .fetch_all(&mut db)
        .await
        .unwrap()
        .iter()
        .map(|r| Rec {
            subjects: vec![r.get(0)],
            named: vec![r.get(0)],
            staff: vec![r.get(1)],
            sentiment: r.get(2),
            at: r.get(3),
            ..Rec::default()
        })
        .collect();
    let behaviours = sqlx::query("SELECT id, name FROM behaviours")
        .fetch_all(&mut db)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let individuals = sqlx::query("SELECT id, group_name, year_group FROM individuals")
        .fetch_all(&mut db)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    Raw {
        incidents,
        clicks,
        communications,
        behaviours,
        individuals,
    }
}

/// The individuals user `user_id` may see, worked out from the grant tables (`None`: all).
async fn visible_to(api: &Api, raw: &Raw, user_id: i64, sees_all: bool) -> HashSet<i64> {
    if sees_all {
        return raw.individuals.iter().map(|(id, _, _)| *id).collect();
    }
    let mut db = open_read_only(&api.srv.db_path).await;
    let mut seen: HashSet<i64> = sqlx::query("SELECT individual_id FROM access_permissions WHERE user_id = ?")
        .bind(user_id)
        .fetch_all(&mut db)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    for r in sqlx::query("SELECT scope, name FROM access_groups WHERE user_id = ?")
        .bind(user_id)
        .fetch_all(&mut db)
        .await
        .unwrap()
    {
        let (scope, name): (String, String) = (r.get(0), r.get(1));
        for (id, group, year) in &raw.individuals {
            if (scope == "group" && *group == name) || (scope == "year" && *year == name) {
                seen.insert(*id);
            }
        }
    }
    seen
}

/// A report's filters, as this test applies them.
#[derive(Debug, Clone, Default)]
struct Filter {
    individuals: Option<Vec<i64>>,
    locations: Option<Vec<i64>>,
    staff: Option<Vec<i64>>,
    behaviours: Option<Vec<i64>>,
}

impl Filter {
    fn query(&self) -> String {
        let list = |name: &str, ids: &Option<Vec<i64>>| match ids {
            None => String::new(),
            Some(ids) => format!(
                "&{name}={}",
                ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
            ),
        };
        format!(
            "{}{}{}{}",
            list("individual_id", &self.individuals),
            list("location_id", &self.locations),
            list("staff_id", &self.staff),
            list("behaviour_id", &self.behaviours)
        )
    }
}

/// The records report `kind` counts for a viewer who sees `visible`, filtered (either period).
fn records<'a>(raw: &'a Raw, kind: ReportKind, visible: &HashSet<i64>, f: &Filter) -> Vec<&'a Rec> {
    let any = |ids: &Option<Vec<i64>>, of: &[i64]| ids.as_ref().is_none_or(|ids| of.iter().any(|x| ids.contains(x)));
    let pool: Vec<&Rec> = match kind {
        ReportKind::Clicker => raw.clicks.iter().collect(),
        ReportKind::Communication => raw.communications.iter().collect(),
        _ => raw
            .incidents
            .iter()
            .filter(|r| match kind {
                ReportKind::Intervention => r.kind == "physical_intervention",
                ReportKind::Injuries => r.injury,
                ReportKind::Discriminatory => r.discriminatory,
                _ => true,
            })
            .collect(),
    };
    pool.into_iter()
        .filter(|r| r.subjects.iter().all(|s| visible.contains(s)))
        .filter(|r| any(&f.individuals, &r.named))
        .filter(|r| any(&f.staff, &r.staff))
        .filter(|r| any(&f.locations, &[r.location]))
        .filter(|r| any(&f.behaviours, &[r.behaviour]))
        .collect()
}

/// (current, previous) counts by row key, for report `kind` grouped `by` over `from..=to`.
fn expected(
    raw: &Raw,
    kind: ReportKind,
    by: &str,
    visible: &HashSet<i64>,
    f: &Filter,
    (from, to): (NaiveDate, NaiveDate),
    keep: impl Fn(&Rec) -> bool,
) -> BTreeMap<String, (i64, i64)> {
    let days = (to - from).num_days() + 1;
    let (before, start, end) = (
        midnight(from - Duration::days(days)),
        midnight(from),
        midnight(to + Duration::days(1)),
    );
    let mut out: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for r in records(raw, kind, visible, f) {
        if r.at < before || r.at >= end || !keep(r) {
            continue;
        }
        let current = r.at >= start;
        let local = London.timestamp_opt(r.at, 0).unwrap();
        let keys: Vec<String> = match by {
            "category" => vec![format!("category:{}", r.category)],
            "location" => vec![format!("location:{}", r.location)],
            "individual" => r
                .named
                .iter()
                .filter(|who| visible.contains(who))
                .map(|who| format!("individual:{who}"))
                .collect(),
            "staff" => r.staff.iter().map(|who| format!("staff:{who}")).collect(),
            "technique" => r.techniques.iter().map(|(t, _)| format!("technique:{t}")).collect(),
            "behaviour" => vec![raw.behaviours[&r.behaviour].clone()],
            "hour" => vec![format!("{:02}:00-{:02}:00", local.hour(), (local.hour() + 1) % 24)],
            "weekday" => vec![local.format("%A").to_string()],
            other => panic!("no model of {other}"),
        };
        for key in keys {
            let entry = out.entry(key).or_default();
            match current {
                true => entry.0 += 1,
                false => entry.1 += 1,
            }
        }
    }
    out
}

/// The server's rows as (current, previous) by key (or label, for rows without one); rows
/// with neither are left out, as the model has none.
fn actual(report: &Report) -> BTreeMap<String, (i64, i64)> {
    let counted = report.columns.iter().position(|c| c.title == "Total").unwrap_or(0);
    let previous = report.columns.iter().position(|c| c.title == "Previous").unwrap();
    report
        .rows
        .iter()
        .map(|row| {
            let key = row.key.clone().unwrap_or_else(|| row.label.clone());
            let n = |i: usize| row.figures[i].unwrap_or(0.0) as i64;
            (key, (n(counted), n(previous)))
        })
        .filter(|(_, counts)| *counts != (0, 0))
        .collect()
}

async fn report(api: &Api, token: &str, path: &str) -> Report {
    let reply = api.get(path, Some(token)).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.text);
    serde_json::from_str(&reply.text).unwrap_or_else(|e| panic!("{path}: {e}: {}", reply.text))
}

/// Every type and grouping of the model, for `viewer`, checked against the server.
async fn check_all(
    api: &Api,
    raw: &Raw,
    token: &str,
    visible: &HashSet<i64>,
    f: &Filter,
    from: NaiveDate,
    to: NaiveDate,
) {
    let groupings: [(ReportKind, &[&str]); 7] = [
        (ReportKind::Global, &["category", "location", "individual", "staff"]),
        (ReportKind::Intervention, &["technique", "individual", "location"]),
        (ReportKind::Involvement, &["individual", "staff"]),
        (ReportKind::Injuries, &["category", "individual"]),
        (ReportKind::Communication, &["individual", "staff"]),
        (
            ReportKind::Clicker,
            &["behaviour", "individual", "staff", "hour", "weekday"],
        ),
        (ReportKind::Discriminatory, &["category", "location"]),
    ];
    for (kind, bys) in groupings {
        let mut f = f.clone();
        if !kind.counts_incidents() {
            f.locations = None;
        }
        if kind != ReportKind::Clicker {
            f.behaviours = None;
        }
        for by in bys {
            let path = format!("/reports/{}?from={from}&to={to}&by={by}{}", kind.slug(), f.query());
            let got = report(api, token, &path).await;
            let want = expected(raw, kind, by, visible, &f, (from, to), |_| true);
            assert_eq!(actual(&got), want, "{path}");
            let unfiltered = f.individuals.is_none() && f.staff.is_none() && f.locations.is_none();
            if unfiltered && visible.len() == raw.individuals.len() {
                assert!(!want.is_empty(), "{path}: the demo data has nothing to count");
            }
            if kind == ReportKind::Communication {
                let positive = expected(raw, kind, by, visible, &f, (from, to), |r| r.sentiment == "positive");
                let column = got.columns.iter().position(|c| c.title == "Positive").unwrap();
                for row in &got.rows {
                    let key = row.key.clone().unwrap();
                    let want = positive.get(&key).map_or(0, |c| c.0);
                    assert_eq!(row.figures[column], Some(want as f64), "{path}: positive of {key}");
                }
            }
            let (current, previous) = records(raw, kind, visible, &f).iter().fold((0, 0), |(c, p), r| {
                let days = (to - from).num_days() + 1;
                match r.at {
                    at if at >= midnight(from) && at < midnight(to + Duration::days(1)) => (c + 1, p),
                    at if at >= midnight(from - Duration::days(days)) && at < midnight(from) => (c, p + 1),
                    _ => (c, p),
                }
            });
            assert_eq!(
                (got.totals[0].value as i64, got.totals[0].previous as i64),
                (current, previous),
                "{path}: totals"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_report_equals_the_figures_counted_from_the_raw_rows_for_two_seeds_and_two_viewers() {
    for seed in [2026, 7] {
        let api = Api::start_with(TestOptions {
            seed,
            ..quiet_options()
        })
        .await;
        let raw = raw(&api).await;
        let today = London
            .timestamp_opt(api.clock().now().timestamp(), 0)
            .unwrap()
            .date_naive();
        let lead = api.sign_in(LEAD).await;
        let teacher = api.sign_in(TEACHER).await;
        let everyone = visible_to(&api, &raw, 2, true).await;
        let teachers = visible_to(&api, &raw, 3, false).await;
        assert!(teachers.len() < everyone.len() && !teachers.is_empty());
        let term = (today - Duration::days(89), today);
        check_all(&api, &raw, &lead, &everyone, &Filter::default(), term.0, term.1).await;
        check_all(&api, &raw, &teacher, &teachers, &Filter::default(), term.0, term.1).await;
        // One of the teacher's individuals, a location and a member of staff.
        let pupil = *teachers.iter().min().unwrap();
        let filtered = Filter {
            individuals: Some(vec![pupil, *teachers.iter().max().unwrap()]),
            ..Filter::default()
        };
        check_all(
            &api,
            &raw,
            &teacher,
            &teachers,
            &filtered,
            today - Duration::days(364),
            today,
        )
        .await;
        let by_place = Filter {
            locations: Some(vec![1, 2]),
            staff: Some(vec![3, 2]),
            behaviours: Some(vec![1, 3]),
            ..Filter::default()
        };
        check_all(
            &api,
            &raw,
            &lead,
            &everyone,
            &by_place,
            today - Duration::days(29),
            today,
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_teachers_figures_never_count_or_name_an_individual_they_may_not_open() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let (seen, hidden, names) = api.teacher_individuals().await;
    for kind in ReportKind::ALL {
        for by in kind.dimensions() {
            let path = format!("/reports/{}?by={}&from=2024-09-01", kind.slug(), by.slug());
            let reply = api.get(&path, Some(&teacher)).await;
            assert_eq!(reply.status, 200, "{path}: {}", reply.text);
            // Staff names may share a surname with the hidden pupil: there, the full name.
            let forms = if *by == bsmart::wire::Dimension::Staff {
                &names[..1]
            } else {
                &names[..]
            };
            for name in forms {
                assert!(!reply.text.contains(name.as_str()), "{path} names a hidden individual");
            }
            assert!(!reply.text.contains(&format!("individual:{hidden}\"")), "{path}");
        }
    }
    // A filter naming a hidden individual is 404 and names no one; so is a row of theirs.
    let reply = api
        .get(
            &format!("/reports/global?individual_id={seen},{hidden}"),
            Some(&teacher),
        )
        .await;
    reply.assert_error(404, "not_found");
    let reply = api
        .get(
            &format!("/reports/global/incidents?row=individual:{hidden}"),
            Some(&teacher),
        )
        .await;
    reply.assert_error(404, "not_found");
    for name in &names {
        assert!(!reply.text.contains(name.as_str()));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_incidents_behind_each_row_are_as_many_as_it_counts_and_all_of_the_period() {
    let api = Api::start().await;
    let lead = api.sign_in(LEAD).await;
    let query = "from=2026-01-01&to=2026-11-30";
    for (kind, by) in [
        ("global", "category"),
        ("global", "time"),
        ("intervention", "technique"),
        ("involvement", "staff"),
        ("injuries", "individual"),
        ("discriminatory", "location"),
    ] {
        let got = report(&api, &lead, &format!("/reports/{kind}?{query}&by={by}")).await;
        let start = midnight(got.from);
        let end = midnight(got.to + Duration::days(1));
        for row in got.rows.iter().filter(|r| r.figures[0].unwrap_or(0.0) > 0.0).take(4) {
            let key = row.key.as_deref().expect("incident rows have keys");
            let path = format!("/reports/{kind}/incidents?{query}&by={by}&row={key}&limit=1000");
            let reply = api.get(&path, Some(&lead)).await;
            assert_eq!(reply.status, 200, "{path}: {}", reply.text);
            let page: IncidentPage = serde_json::from_str(&reply.text).unwrap();
            assert_eq!(page.total as f64, row.figures[0].unwrap(), "{path}");
            assert_eq!(page.items.len() as u64, page.total.min(1000), "{path}");
            for item in &page.items {
                let at = item.occurred_at.timestamp();
                assert!(
                    at >= start && at < end,
                    "{path}: {} is outside the period",
                    item.reference
                );
            }
        }
    }
    // A clicker row of an individual stands for that individual's incidents.
    let clicks = report(&api, &lead, &format!("/reports/clicker?{query}&by=individual")).await;
    let row = &clicks.rows[0];
    let id: i64 = row
        .key
        .as_deref()
        .unwrap()
        .trim_start_matches("individual:")
        .parse()
        .unwrap();
    let behind: IncidentPage = serde_json::from_str(
        &api.get(
            &format!("/reports/clicker/incidents?{query}&by=individual&row=individual:{id}"),
            Some(&lead),
        )
        .await
        .text,
    )
    .unwrap();
    let theirs: IncidentPage = serde_json::from_str(
        &api.get(
            &format!("/reports/global/incidents?{query}&individual_id={id}"),
            Some(&lead),
        )
        .await
        .text,
    )
    .unwrap();
    assert_eq!(behind.total, theirs.total);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_csv_parsed_back_equals_the_json_and_neutralises_formulas() {
    let api = Api::start().await;
    let lead = api.sign_in(LEAD).await;
    execute_sql(
        &api.srv.db_path,
        "UPDATE incident_categories SET name = '=HYPERLINK(\"http://x\")' WHERE id = 1",
    )
    .await;
    for (kind, by) in [
        ("global", "category"),
        ("intervention", "technique"),
        ("communication", "time"),
        ("clicker", "hour"),
    ] {
        let path = format!("/reports/{kind}?from=2025-12-01&to=2026-11-30&by={by}");
        let json = report(&api, &lead, &path).await;
        let reply = api.get(&format!("{path}&format=csv"), Some(&lead)).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert!(reply.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
        let mut reader = csv::Reader::from_reader(reply.text.as_bytes());
        let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
        let mut want = vec![json.label.clone()];
        want.extend(json.columns.iter().map(|c| c.title.clone()));
        assert_eq!(header, want);
        let rows: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        assert_eq!(rows.len(), json.rows.len(), "{path}");
        for (line, row) in rows.iter().zip(&json.rows) {
            let label = line[0]
                .strip_prefix('\'')
                .filter(|_| row.label.starts_with('='))
                .unwrap_or(&line[0]);
            assert_eq!(label, row.label);
            for ((cell, figure), column) in line[1..].iter().zip(&row.figures).zip(&json.columns) {
                let parsed: Option<f64> = match cell.as_str() {
                    "" => None,
                    text => Some(text.trim_start_matches('\'').parse().unwrap()),
                };
                match column.kind {
                    bsmart::wire::ColumnKind::Count => assert_eq!(parsed, *figure, "{path}"),
                    _ => assert_eq!(
                        parsed.map(|p| (p * 100.0).round()),
                        figure.map(|f| (f * 100.0).round()),
                        "{path}"
                    ),
                }
            }
        }
        if by == "category" {
            assert!(reply.text.contains("'=HYPERLINK"), "a formula cell is neutralised");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_queries_are_refused_with_a_sentence_saying_what_to_do() {
    let api = Api::start().await;
    let lead = api.sign_in(LEAD).await;
    for (path, words) in [
        ("/reports/weekly", "no report type"),
        ("/reports/global?from=2026-13-01", "YYYY-MM-DD"),
        ("/reports/global?to=yesterday", "YYYY-MM-DD"),
        ("/reports/global?from=2026-11-30&to=2026-11-01", "after"),
        ("/reports/global?from=2010-01-01&to=2026-11-01", "10 years"),
        ("/reports/global?from=0001-01-01", "1900"),
        ("/reports/global?individual_id=1,x", "ids separated by commas"),
        ("/reports/global?individual_id=", "ids separated by commas"),
        ("/reports/global?individual_id=-4", "ids separated by commas"),
        ("/reports/global?behaviour_id=1", "does not filter by `behaviour_id`"),
        ("/reports/clicker?location_id=1", "does not filter by `location_id`"),
        ("/reports/global?by=hour", "not grouped by"),
        ("/reports/global?format=xml", "json, csv or text"),
        ("/reports/global?row=category:1", "/reports/{type}/incidents"),
        ("/reports/global/incidents?row=technique:1", "has no row"),
        ("/reports/clicker/incidents?by=behaviour&row=behaviour:1", "has no row"),
        ("/reports/global/incidents?limit=-1", "whole number"),
        ("/reports/0?limit=-1", "/reports/{type}/incidents"),
    ] {
        let reply = api.get(path, Some(&lead)).await;
        reply.assert_error(400, "invalid_request");
        assert!(reply.text.contains(words), "{path}: {}", reply.text);
    }
    let many = (1..=101).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
    api.get(&format!("/reports/global?staff_id={many}"), Some(&lead))
        .await
        .assert_error(400, "invalid_request");
    api.get("/reports/global", None)
        .await
        .assert_error(401, "unauthenticated");
    // Exactly ten years is allowed.
    let ten = api
        .get("/reports/global?from=2016-11-30&to=2026-11-30", Some(&lead))
        .await;
    assert_eq!(ten.status, 200, "{}", ten.text);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_read_is_audited_with_its_filters_and_no_name() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let (seen, _, _) = api.teacher_individuals().await;
    let mark = api.audit_mark().await;
    let got = report(
        &api,
        &teacher,
        &format!("/reports/global?by=individual&individual_id={seen}"),
    )
    .await;
    let rows = api.audit_since(mark).await;
    let row = rows.iter().find(|r| r.get("action") == "report.view").expect("audited");
    assert!(
        row.get("detail").contains(&format!("individuals={seen}")),
        "{}",
        row.get("detail")
    );
    assert!(row.get("detail").contains("type=global by=individual"));
    for r in &got.rows {
        assert!(!row.all_text().contains(&r.label), "the audit names {}", r.label);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_clicker_grid_holds_every_click_of_the_period_by_local_weekday_and_hour() {
    let api = Api::start().await;
    let lead = api.sign_in(LEAD).await;
    let raw = raw(&api).await;
    let (from, to) = (
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 4, 30).unwrap(),
    );
    let got = report(&api, &lead, &format!("/reports/clicker?from={from}&to={to}")).await;
    let grid = got.grid.expect("the clicker has a grid");
    let mut want = vec![vec![0u64; 24]; 7];
    for c in raw
        .clicks
        .iter()
        .filter(|c| c.at >= midnight(from) && c.at < midnight(to + Duration::days(1)))
    {
        let local = London.timestamp_opt(c.at, 0).unwrap();
        want[local.weekday().num_days_from_monday() as usize][local.hour() as usize] += 1;
    }
    assert_eq!(grid, want, "across the change to summer time on 29 March");
    let series: u64 = got.series[0].points.iter().sum();
    assert_eq!(series, want.iter().flatten().sum::<u64>());
    assert_eq!(got.bucket, "week");
}

/// The clicker's totals over `term` for the lead, through the API.
async fn clicks_counted(api: &Api, token: &str, term: (NaiveDate, NaiveDate)) -> i64 {
    let path = format!("/reports/clicker?from={}&to={}", term.0, term.1);
    report(api, token, &path).await.totals[0].value as i64
}

/// Every store grouping of every record kind over `filter`, as `store` counts it for `viewer`.
async fn every_count(
    store: &bsmart::server::store::Store,
    viewer: Viewer,
    filter: &ReportFilter,
) -> Vec<bsmart::server::store::Counted> {
    let mut all = Vec::new();
    for records in [
        ReportRecords::Incidents,
        ReportRecords::Interventions,
        ReportRecords::Injuries,
        ReportRecords::Discriminatory,
        ReportRecords::Clicks,
        ReportRecords::Communications,
    ] {
        for grouping in [
            None,
            Some(Grouping::Category),
            Some(Grouping::Location),
            Some(Grouping::Individual),
            Some(Grouping::Staff),
            Some(Grouping::Technique),
            Some(Grouping::Behaviour),
        ] {
            all.push(store.report_counts(viewer, records, grouping, filter).await.unwrap());
        }
    }
    all
}

/// The report index is never behind a commit, whoever made it: the server's own writes (a
/// click and its undo through the API), and another process's SQL on the same file (thousands
/// of clicks, some undone, an incident moved, one deleted, people and staff changed, a
/// communication written, a pupil renamed). After the change log is emptied under an index that
/// had not seen it all, that index loads again; and an index kept up to date change by change
/// counts exactly what one loaded whole from the file counts.
#[tokio::test(flavor = "multi_thread")]
async fn every_change_by_any_writer_reaches_the_next_report() {
    let api = Api::start().await;
    let lead = api.sign_in(LEAD).await;
    let teacher = api.sign_in(TEACHER).await;
    let now = api.clock().now();
    let today = London.timestamp_opt(now.timestamp(), 0).unwrap().date_naive();
    let term = (today - Duration::days(89), today);
    let before = clicks_counted(&api, &lead, term).await;

    // The server's own writes.
    let (seen, _, _) = api.teacher_individuals().await;
    let id = uuid::Uuid::new_v4();
    let click = serde_json::json!({ "id": id, "individual_id": seen, "behaviour_id": 1, "occurred_at": now });
    assert_eq!(api.post("/clicks", &click, Some(&teacher)).await.status, 201);
    assert_eq!(
        clicks_counted(&api, &lead, term).await,
        before + 1,
        "a click is counted at once"
    );
    assert_eq!(api.delete(&format!("/clicks/{id}"), Some(&teacher)).await.status, 204);
    assert_eq!(
        clicks_counted(&api, &lead, term).await,
        before,
        "an undone click is not"
    );

    // A second store over the same file: another process, loaded now.
    let other = bsmart::server::store::Store::open(&api.srv.db_path, false)
        .await
        .unwrap();
    other.warm_reports().await.unwrap();

    // Another process's writes, straight to the file.
    let at = now.timestamp();
    let db = &api.srv.db_path;
    execute_sql(
        db,
        &format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000)
             INSERT INTO clicks (id, individual_id, behaviour_id, user_id, occurred_at, recorded_at)
             SELECT lower(hex(randomblob(16))), 1 + i % 50, 1 + i % 5, 2, {at} - i * 600, {at} FROM n"
        ),
    )
    .await;
    execute_sql(
        db,
        &format!(
            "UPDATE clicks SET deleted_at = {at} WHERE rowid IN
               (SELECT rowid FROM clicks WHERE deleted_at IS NULL ORDER BY occurred_at DESC LIMIT 100)"
        ),
    )
    .await;
    let newest = "SELECT id FROM incidents WHERE deleted_at IS NULL ORDER BY occurred_at DESC";
    execute_sql(
        db,
        &format!(
            "UPDATE incidents SET category_id = 1 + category_id % 3, location_id = 1 + location_id % 4,
                    occurred_at = occurred_at - 86400 WHERE id = ({newest} LIMIT 1)"
        ),
    )
    .await;
    execute_sql(
        db,
        &format!("UPDATE incidents SET deleted_at = {at} WHERE id = ({newest} LIMIT 1 OFFSET 1)"),
    )
    .await;
    execute_sql(
        db,
        "DELETE FROM incident_individuals WHERE rowid = (SELECT rowid FROM incident_individuals WHERE role = 'involved' LIMIT 1)",
    )
    .await;
    execute_sql(
        db,
        &format!(
            "INSERT OR IGNORE INTO incident_staff (incident_id, user_id) SELECT id, 4 FROM ({newest} LIMIT 5 OFFSET 2)"
        ),
    )
    .await;
    execute_sql(
        db,
        &format!(
            "INSERT INTO communications (id, individual_id, author_id, sentiment, message, created_at)
             VALUES ('{}', 1, 2, 'positive', 'Settled well after lunch.', {at})",
            uuid::Uuid::new_v4()
        ),
    )
    .await;
    execute_sql(db, "UPDATE individuals SET preferred_name = 'Renamed' WHERE id = 1").await;

    // The server's index caught every one of them.
    let raw = raw(&api).await;
    let everyone = visible_to(&api, &raw, 2, true).await;
    check_all(&api, &raw, &lead, &everyone, &Filter::default(), term.0, term.1).await;
    let path = format!(
        "/reports/global?from={}&to={}&by=individual",
        today - Duration::days(364),
        today
    );
    let named = report(&api, &lead, &path).await;
    let first = named.rows.iter().find(|r| r.key.as_deref() == Some("individual:1"));
    assert!(first.is_none_or(|r| r.label.starts_with("Renamed ")), "{first:?}");
    // The checkpointer empties the log of what the server's index has applied (more than
    // 10,000 changes), within a tick or two.
    let mut waited = 0;
    while api.count("SELECT COUNT(*) FROM report_changes").await > 0 {
        assert!(waited < 100, "the change log was never emptied");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    assert!(api.count("SELECT through FROM report_changes_pruned").await > 12_000);
    let viewer = Viewer {
        user_id: 2,
        sees_all: true,
    };
    let filter = ReportFilter {
        previous_start: midnight(term.0 - Duration::days(90)),
        start: midnight(term.0),
        end: midnight(term.1 + Duration::days(1)),
        ..ReportFilter::default()
    };
    // The other store had not seen what was emptied, so it loads again; a third loads whole.
    let kept = every_count(&api.srv.store, viewer, &filter).await;
    assert_eq!(every_count(&other, viewer, &filter).await, kept);
    let fresh = bsmart::server::store::Store::open(&api.srv.db_path, false)
        .await
        .unwrap();
    assert_eq!(every_count(&fresh, viewer, &filter).await, kept);
    let teacher_viewer = Viewer {
        user_id: 3,
        sees_all: false,
    };
    assert_eq!(
        every_count(&fresh, teacher_viewer, &filter).await,
        every_count(&api.srv.store, teacher_viewer, &filter).await
    );
}
