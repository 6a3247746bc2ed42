//! The printable text form of a report (`GET /reports/{type}?format=text`), over HTTP against a
//! real server and its SQLite file: the same rows in the same order as the CSV (with and
//! without `sort`), the UK-date period in its heading, no control or bidi character from a
//! hostile name, nothing the teacher may not open, and an audit row saying `format=text`.

mod common;

use bsmart::wire::{Report, ReportKind};
use common::*;
use unicode_width::UnicodeWidthChar;

/// The period every test reads (the demo data has records in it).
const PERIOD: &str = "from=2025-12-01&to=2026-11-30";

/// A name with a screen clear, a carriage return, a right-to-left override and a tab in it.
const HOSTILE: &str = "'Hall' || char(27) || '[2J' || char(13) || char(8238) || char(9) || 'End'";

/// A printed cell or line holds none of the characters a hostile name could move the terminal
/// with.
fn assert_printable(text: &str, what: &str) {
    for bad in ['\u{1b}', '\r', '\u{202e}', '\t', '\u{7f}', '\u{9b}'] {
        assert!(!text.contains(bad), "{what} holds U+{:04X}", bad as u32);
    }
}

/// The text body's heading lines and its table: the cells of the heading row and of each row,
/// cut where the rule of `-` under the heading says each column is (by display width).
fn parse_text(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let lines: Vec<&str> = text.lines().collect();
    let blank = lines
        .iter()
        .position(|l| l.is_empty())
        .expect("a blank line before the table");
    let heading = lines[..blank].iter().map(|l| l.to_string()).collect();
    let rule = lines[blank + 2];
    assert!(rule.chars().all(|c| c == '-' || c == ' '), "the rule: {rule}");
    let mut columns = Vec::new();
    let mut start = None;
    for (i, c) in rule.char_indices().chain([(rule.len(), ' ')]) {
        match (c, start) {
            ('-', None) => start = Some(i),
            (' ', Some(s)) => {
                columns.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    let cut = |line: &str| {
        let mut cells = vec![String::new(); columns.len()];
        let mut at = 0;
        for c in line.chars() {
            if let Some(n) = columns.iter().position(|(s, e)| at >= *s && at < *e) {
                cells[n].push(c);
            }
            at += c.width().unwrap_or(0);
        }
        cells.into_iter().map(|c| c.trim().to_string()).collect::<Vec<_>>()
    };
    let mut table = vec![cut(lines[blank + 1])];
    table.extend(lines[blank + 3..].iter().map(|l| cut(l)));
    for line in &lines {
        assert_eq!(line.trim_end(), *line, "a line ends in a space: {line:?}");
    }
    (heading, table)
}

/// The CSV body's heading row and rows, with the `'` that neutralises a formula taken off again.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| {
            r.unwrap()
                .iter()
                .map(|cell| match cell.strip_prefix('\'') {
                    Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_string(),
                    _ => cell.to_string(),
                })
                .collect()
        })
        .collect()
}

/// `GET path` as `token`, asserting 200.
async fn body(api: &Api, token: &str, path: &str) -> Reply {
    let reply = api.get(path, Some(token)).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.text);
    reply
}

#[tokio::test(flavor = "multi_thread")]
async fn the_text_form_of_every_report_has_the_csv_rows_in_the_csv_order_under_a_uk_dated_heading() {
    let api = Api::start().await;
    let lead = api.sign_in(LEAD).await;
    for kind in ReportKind::ALL {
        let base = format!("/reports/{}?{PERIOD}&by={}", kind.slug(), kind.dimensions()[0].slug());
        let json: Report = serde_json::from_str(&body(&api, &lead, &base).await.text).unwrap();
        for sort in ["", "&sort=-1", "&sort=0", "&sort=1"] {
            let path = format!("{base}{sort}");
            let text = body(&api, &lead, &format!("{path}&format=text")).await;
            let csv = body(&api, &lead, &format!("{path}&format=csv")).await;
            assert_eq!(
                text.headers["content-type"].to_str().unwrap(),
                "text/plain; charset=utf-8",
                "{path}"
            );
            let disposition = text.headers["content-disposition"].to_str().unwrap();
            assert_eq!(
                disposition,
                format!("attachment; filename=\"{}-2025-12-01-2026-11-30.txt\"", kind.slug()),
                "{path}"
            );
            let (heading, table) = parse_text(&text.text);
            assert_eq!(table, parse_csv(&csv.text), "{path}: the text rows are the CSV rows");
            assert_eq!(table.len(), json.rows.len() + 1, "{path}");
            assert_eq!(heading[0], json.title);
            let period = format!(
                "Period: 01/12/2025 \u{2013} 30/11/2026, compared with {} \u{2013} {}",
                json.previous_from.format("%d/%m/%Y"),
                json.previous_to.format("%d/%m/%Y")
            );
            assert!(heading.contains(&period), "{path}: {heading:?}");
            for total in &json.totals {
                assert!(
                    heading.iter().any(|l| l.starts_with(&format!("{}: ", total.label))),
                    "{path}: the total {} is missing",
                    total.label
                );
            }
            if sort == "&sort=-1" {
                let figures: Vec<f64> = table[1..]
                    .iter()
                    .map(|r| r[1].parse().unwrap_or(f64::NEG_INFINITY))
                    .collect();
                assert!(figures.windows(2).all(|w| w[0] >= w[1]), "{path}: {figures:?}");
            }
        }
    }
    // A filter is named in the heading: the individual by name.
    let (id, name) = {
        let id = api
            .count("SELECT individual_id FROM incidents WHERE deleted_at IS NULL LIMIT 1")
            .await;
        let json: Report = serde_json::from_str(
            &body(
                &api,
                &lead,
                &format!("/reports/global?{PERIOD}&by=individual&individual_id={id}"),
            )
            .await
            .text,
        )
        .unwrap();
        (id, json.rows[0].label.clone())
    };
    let text = body(
        &api,
        &lead,
        &format!("/reports/global?{PERIOD}&individual_id={id}&location_id=1&format=text"),
    )
    .await;
    let (heading, _) = parse_text(&text.text);
    assert!(
        heading.contains(&format!("Filtered to individuals: {name}")),
        "{heading:?}"
    );
    assert!(
        heading
            .iter()
            .any(|l| l.starts_with("Printed ") && l.contains(" by ") && l.contains("Confidential")),
        "who printed it, when and that it is confidential: {heading:?}"
    );
    let location = api.value("SELECT name FROM locations WHERE id = 1").await;
    assert!(
        heading.contains(&format!("Filtered to locations: {location}")),
        "the location by its name: {heading:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hostile_location_or_pupil_name_is_printed_without_its_control_and_bidi_characters() {
    let api = Api::start().await;
    let lead = api.sign_in(LEAD).await;
    let location = api
        .count(
            "SELECT location_id FROM incidents WHERE deleted_at IS NULL
             GROUP BY location_id ORDER BY count(*) DESC LIMIT 1",
        )
        .await;
    let pupil = api
        .count(
            "SELECT individual_id FROM incidents WHERE deleted_at IS NULL
             GROUP BY individual_id ORDER BY count(*) DESC LIMIT 1",
        )
        .await;
    execute_sql(
        &api.srv.db_path,
        &format!("UPDATE locations SET name = {HOSTILE} WHERE id = {location}"),
    )
    .await;
    execute_sql(
        &api.srv.db_path,
        &format!(
            "UPDATE individuals SET first_name = {HOSTILE}, last_name = {HOSTILE}, preferred_name = {HOSTILE}
             WHERE id = {pupil}"
        ),
    )
    .await;
    let raw = "Hall\u{1b}[2J\r\u{202e}\tEnd";
    for by in ["location", "individual"] {
        let path = format!("/reports/global?{PERIOD}&by={by}");
        let text = body(&api, &lead, &format!("{path}&format=text")).await;
        assert_printable(&text.text, &path);
        assert!(
            text.text.contains("Hall[2J End"),
            "{path}: the name, cleaned: {}",
            text.text
        );
        // The CSV keeps the name as stored: the text form changed nothing there.
        let csv = body(&api, &lead, &format!("{path}&format=csv")).await;
        let rows = parse_csv(&csv.text);
        assert!(
            rows.iter().any(|r| r[0].contains(raw)),
            "{path}: the CSV holds the stored name"
        );
        let filtered = body(&api, &lead, &format!("{path}&individual_id={pupil}&format=text")).await;
        assert_printable(&filtered.text, "the heading naming the filter");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_teachers_text_report_never_names_a_hidden_pupil_and_an_unknown_format_is_refused() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let (_, _, names) = api.teacher_individuals().await;
    for kind in ReportKind::ALL {
        for by in kind.dimensions() {
            let path = format!("/reports/{}?by={}&from=2024-09-01&format=text", kind.slug(), by.slug());
            let reply = body(&api, &teacher, &path).await;
            // Staff names may share a surname with the hidden pupil: there, the full name.
            let forms = if *by == bsmart::wire::Dimension::Staff {
                &names[..1]
            } else {
                &names[..]
            };
            for name in forms {
                assert!(!reply.text.contains(name.as_str()), "{path} names a hidden individual");
            }
        }
    }
    for format in ["pdf", "TEXT", ""] {
        let reply = api
            .get(&format!("/reports/global?format={format}"), Some(&teacher))
            .await;
        reply.assert_error(400, "invalid_request");
        assert!(
            reply.text.contains("`format` must be json, csv or text."),
            "{format}: {}",
            reply.text
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_text_report_read_is_audited_as_format_text() {
    let api = Api::start().await;
    let teacher = api.sign_in(TEACHER).await;
    let (seen, _, _) = api.teacher_individuals().await;
    let mark = api.audit_mark().await;
    let reply = body(
        &api,
        &teacher,
        &format!("/reports/global?by=individual&individual_id={seen}&format=text"),
    )
    .await;
    let rows = api.audit_since(mark).await;
    let row = rows.iter().find(|r| r.get("action") == "report.view").expect("audited");
    let detail = row.get("detail");
    assert!(detail.contains("format=text"), "{detail}");
    assert!(detail.contains("type=global by=individual"), "{detail}");
    assert!(detail.contains(&format!("individuals={seen}")), "{detail}");
    let (_, table) = parse_text(&reply.text);
    for cells in &table[1..] {
        assert!(!row.all_text().contains(&cells[0]), "the audit names {}", cells[0]);
    }
}
