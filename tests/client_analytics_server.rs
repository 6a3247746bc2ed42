//! Analytics (`a`, issue 13) in the real client against a real server: every report type at
//! 80x24 and 200x60, the incidents behind a row and one of them opened, the table saved as a
//! 0600 CSV file whose rows are those shown (in the order shown), and the period and grouping
//! keys asking the server again.

mod client_support;
mod common;

use bsmart::client::screens::analytics::Analytics;
use client_support::{Harness, TEACHER};
use common::{Api, LEAD};
use crossterm::event::KeyCode;

/// A client of `api` in a `width` x `height` terminal, signed in as the pastoral lead (who sees
/// every individual), with a code of a step not used before.
async fn lead(api: &Api, width: u16, height: u16) -> Harness {
    api.advance(30);
    let mut h = Harness::sized(&api.srv.url, width, height);
    h.sign_in_with_code(LEAD.email, LEAD.password, &api.code_now(LEAD.totp.unwrap()))
        .await;
    h
}

/// The Analytics page of `h`.
fn page(h: &Harness) -> &Analytics {
    h.runner.app.page::<Analytics>().expect("Analytics is on top")
}

/// Wait until the report of type number `at` (1 to 7) has come.
async fn report_number(h: &mut Harness, at: usize) -> String {
    let mark = format!("[{at}/7]");
    h.wait_for("the report", |t| {
        t.contains(&mark) && !t.contains("loading…") && !t.contains("Making the report")
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn every_report_type_reads_whole_at_80x24_and_200x60() {
    let api = Api::start().await;
    for (width, height) in [(80, 24), (200, 60)] {
        let mut h = lead(&api, width, height).await;
        h.press(KeyCode::Char('a'));
        for at in 1..=7 {
            let text = report_number(&mut h, at).await;
            let report = page(&h).report.as_ref().unwrap();
            assert!(text.contains(report.kind.short()), "{text}");
            assert!(
                text.contains(&report.columns[0].title[..6.min(report.columns[0].title.len())]),
                "{text}"
            );
            assert!(
                text.contains("(before:"),
                "the totals compare with the period before: {text}"
            );
            if let Some(first) = report.rows.first() {
                let shown: String = first.label.chars().take(12).collect();
                assert!(text.contains(&shown), "{width}x{height}: {shown} not in {text}");
            }
            for line in text.lines() {
                assert!(line.chars().count() <= usize::from(width), "{line}");
            }
            h.press(KeyCode::Tab);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_row_opens_the_incidents_behind_it_and_one_of_them() {
    let api = Api::start().await;
    let mut h = lead(&api, 80, 24).await;
    h.press(KeyCode::Char('a'));
    report_number(&mut h, 1).await;
    // The school year (30 days, the term, the year) has every category.
    h.press(KeyCode::Char('t'));
    h.press(KeyCode::Char('t'));
    h.wait_for("the school year", |t| {
        t.contains("this school year") && !t.contains("loading…")
    })
    .await;
    let row = page(&h).report.as_ref().unwrap().rows[page(&h).order[0]].clone();
    h.press(KeyCode::Enter);
    h.wait_text("Related incidents").await;
    let text = h.wait_for("the incidents", |t| t.contains("besmart-")).await;
    let count = row.figures[0].unwrap() as u64;
    assert!(
        text.contains(&format!("({count})")) || text.contains(&format!("of {count})")),
        "{text}"
    );
    assert!(text.contains(&row.label[..6.min(row.label.len())]), "{text}");
    h.press(KeyCode::Enter);
    h.wait_text("About:").await;
    h.press(KeyCode::Esc);
    h.press(KeyCode::Esc);
    report_number(&mut h, 1).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_table_is_saved_as_a_private_csv_in_the_order_shown() {
    let api = Api::start().await;
    let mut h = Harness::sized(&api.srv.url, 80, 24);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    h.press(KeyCode::Char('a'));
    report_number(&mut h, 1).await;
    // By the label, A to Z.
    h.press(KeyCode::Char('o'));
    h.press(KeyCode::Char('w'));
    let text = h.wait_text("Saved").await;
    let report = page(&h).report.clone().unwrap();
    let name = format!("global-{}-{}.csv", report.from, report.to);
    let path = h.dir.path().join(&name);
    assert!(text.contains(&name), "{text}");
    let file = std::fs::read_to_string(&path).unwrap();
    let labels: Vec<String> = csv::Reader::from_reader(file.as_bytes())
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    let shown: Vec<String> = page(&h).order.iter().map(|&i| report.rows[i].label.clone()).collect();
    assert_eq!(labels, shown);
    let mut sorted = shown.clone();
    sorted.sort_by_key(|l| l.to_lowercase());
    assert_eq!(shown, sorted, "sorted A to Z");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_grouping_and_period_keys_ask_again_and_a_clicker_behaviour_says_why_it_has_no_incidents() {
    let api = Api::start().await;
    let mut h = Harness::sized(&api.srv.url, 80, 24);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    h.press(KeyCode::Char('a'));
    report_number(&mut h, 1).await;
    h.press(KeyCode::Char('b'));
    h.wait_for("by location", |t| t.contains("by location") && !t.contains("loading…"))
        .await;
    h.press(KeyCode::Char('t'));
    h.wait_for("the next period", |t| {
        t.contains("this term") && !t.contains("loading…")
    })
    .await;
    for _ in 0..5 {
        h.press(KeyCode::Tab);
    }
    report_number(&mut h, 6).await;
    assert!(h.text().contains("by behaviour"));
    h.press(KeyCode::Enter);
    h.wait_text("it counts clicks").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_server_gone_the_screen_says_which_report_it_still_shows() {
    let api = Api::start().await;
    let mut h = Harness::sized(&api.srv.url, 80, 24);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    h.press(KeyCode::Char('a'));
    let before = report_number(&mut h, 1).await;
    assert!(before.contains("last 30 days"), "{before}");
    drop(api);
    // The term is asked for, and cannot come: the figures on screen are still the 30 days'.
    h.press(KeyCode::Char('t'));
    let text = h.wait_for("the older report said", |t| t.contains("not updated")).await;
    let first = text.lines().nth(1).unwrap_or_default();
    assert!(first.starts_with("Shown: Global Incident"), "{text}");
    assert!(
        !first.contains("this term"),
        "the period asked for is not put on the old figures: {text}"
    );
}

/// The totals of report `kind` over `from`..`to` with `query`, read straight from the server
/// as the teacher.
async fn totals(api: &Api, kind: &str, report: &bsmart::wire::Report, query: &str) -> Vec<f64> {
    let token = api.sign_in(common::TEACHER).await;
    let path = format!("/reports/{kind}?from={}&to={}{query}", report.from, report.to);
    let reply = api.get(&path, Some(&token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let reply: bsmart::wire::Report = serde_json::from_str(&reply.text).unwrap();
    reply.totals.iter().map(|t| t.value).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn locations_and_typed_dates_filter_the_report_and_are_listed_above_it() {
    let api = Api::start().await;
    let mut h = Harness::sized(&api.srv.url, 80, 24);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    h.press(KeyCode::Char('a'));
    report_number(&mut h, 1).await;
    // The school year (after the term), so that every location has incidents.
    for _ in 0..2 {
        h.press(KeyCode::Char('t'));
    }
    h.wait_for("the school year", |t| {
        t.contains("this school year") && !t.contains("loading…")
    })
    .await;
    // By location, the first row is a location with incidents.
    h.press(KeyCode::Char('b'));
    h.wait_for("by location", |t| t.contains("by location") && !t.contains("loading…"))
        .await;
    let report = page(&h).report.clone().unwrap();
    let hall = report.rows[page(&h).order[0]].clone();
    h.press(KeyCode::Char('l'));
    h.wait_text("Only these locations").await;
    h.type_text(&hall.label);
    h.press(KeyCode::Char(' '));
    h.press(KeyCode::Enter);
    let text = h
        .wait_for("the location's report", |t| {
            t.contains(&format!("at {}", hall.label)) && !t.contains("loading…") && !t.contains("updating")
        })
        .await;
    let shown = page(&h).report.clone().unwrap();
    assert_eq!(shown.rows.len(), 1, "only the location chosen: {text}");
    let id = hall.key.as_deref().unwrap().trim_start_matches("location:").to_string();
    assert_eq!(
        shown.totals.iter().map(|t| t.value).collect::<Vec<_>>(),
        totals(&api, "global", &shown, &format!("&by=location&location_id={id}")).await,
        "the figures are the server's for that location"
    );
    // The clicker takes no location: the filter stays, said unused, and `l` says why.
    for _ in 0..5 {
        h.press(KeyCode::Tab);
    }
    let text = report_number(&mut h, 6).await;
    assert!(text.contains("(not used here)"), "{text}");
    h.press(KeyCode::Char('l'));
    h.wait_text("does not filter by location").await;
    // Typed dates: a bad one is refused and kept; good ones are the period.
    h.press(KeyCode::Char('T'));
    h.wait_text("Report between").await;
    h.type_text("32/1");
    h.press(KeyCode::Enter);
    h.press(KeyCode::Enter);
    let text = h.wait_text("is not a date").await;
    assert!(text.contains("32/1"), "what was typed stays: {text}");
    for _ in 0..4 {
        h.press(KeyCode::Backspace);
    }
    h.type_text("1/9/2026");
    h.press(KeyCode::Tab);
    h.type_text("30/11/2026");
    h.press(KeyCode::Enter);
    let text = h
        .wait_for("the typed period", |t| {
            t.contains("01/09/2026 to 30/11/2026") && !t.contains("loading…")
        })
        .await;
    let shown = page(&h).report.clone().unwrap();
    assert_eq!(
        (shown.from.to_string(), shown.to.to_string()),
        ("2026-09-01".to_string(), "2026-11-30".to_string()),
        "{text}"
    );
    // `x` clears the lists and keeps the dates.
    h.press(KeyCode::Char('x'));
    let text = h
        .wait_for("cleared", |t| t.contains("Filters: none") && !t.contains("loading…"))
        .await;
    assert!(text.contains("01/09/2026 to 30/11/2026"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_set_comes_back_with_f_is_used_with_enter_and_deleted_after_y() {
    let api = Api::start().await;
    let (seen, _, hidden_names) = api.teacher_individuals().await;
    let mut h = Harness::sized(&api.srv.url, 80, 24);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    h.press(KeyCode::Char('a'));
    report_number(&mut h, 1).await;
    h.press(KeyCode::Char('b'));
    h.wait_for("by location", |t| t.contains("by location") && !t.contains("loading…"))
        .await;
    let report = page(&h).report.clone().unwrap();
    let hall = report.rows[page(&h).order[0]].label.clone();
    h.press(KeyCode::Char('l'));
    h.wait_text("Only these locations").await;
    h.type_text(&hall);
    h.press(KeyCode::Char(' '));
    h.press(KeyCode::Enter);
    h.wait_for("the location's report", |t| {
        t.contains(&format!("at {hall}")) && !t.contains("loading…")
    })
    .await;

    // The first line saves the filters shown under a name typed.
    h.press(KeyCode::Char('F'));
    h.wait_text("You have no saved sets yet.").await;
    h.press(KeyCode::Enter);
    h.type_text("Hall weekly");
    h.press(KeyCode::Enter);
    let text = h.wait_text("Saved \"Hall weekly\".").await;
    h.wait_for("the set listed", |t| {
        t.contains("Hall weekly") && !t.contains("no saved sets")
    })
    .await;
    assert!(!text.contains("Loading your sets"), "{text}");
    assert_eq!(
        api.count("SELECT COUNT(*) FROM report_filter_sets WHERE user_id = 3")
            .await,
        1
    );
    h.press(KeyCode::Esc);

    // A set saved with an individual the teacher then loses: used, it says one is left out.
    let token = api.sign_in(common::TEACHER).await;
    let r = api
        .post(
            "/report-filter-sets",
            &serde_json::json!({ "name": "Two pupils", "filters": { "individual_ids": [seen] } }),
            Some(&token),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    common::execute_sql(
        &api.srv.db_path,
        &format!("DELETE FROM access_permissions WHERE user_id = 3 AND individual_id = {seen}"),
    )
    .await;

    // Cleared, then the first set brings its location back.
    h.press(KeyCode::Char('x'));
    h.wait_for("cleared", |t| t.contains("Filters: none") && !t.contains("loading…"))
        .await;
    h.press(KeyCode::Char('F'));
    h.wait_text("Two pupils").await;
    h.press(KeyCode::Down);
    h.press(KeyCode::Enter);
    h.wait_for("the set used", |t| {
        t.contains(&format!("at {hall}"))
            && t.contains("Using the filters of \"Hall weekly\"")
            && !t.contains("loading…")
            && !t.contains("updating")
    })
    .await;
    assert_eq!(page(&h).report.as_ref().unwrap().rows.len(), 1);

    // The second: its individual is counted, never named.
    h.press(KeyCode::Char('F'));
    h.wait_text("Two pupils").await;
    h.press(KeyCode::Down);
    h.press(KeyCode::Down);
    h.press(KeyCode::Enter);
    let text = h.wait_text("no longer yours to see").await;
    for name in &hidden_names {
        assert!(!text.contains(name.as_str()), "{name} named: {text}");
    }
    let seen_name = api
        .value(&format!("SELECT last_name FROM individuals WHERE id = {seen}"))
        .await;
    assert!(
        !text.contains(&seen_name),
        "a pupil no longer the teacher's is not named: {text}"
    );

    // `d` asks, any other key keeps, `y` deletes.
    h.press(KeyCode::Char('F'));
    h.wait_text("Two pupils").await;
    h.press(KeyCode::Down);
    h.press(KeyCode::Char('d'));
    h.wait_text("Delete \"Hall weekly\"?").await;
    h.press(KeyCode::Char('n'));
    h.wait_for("kept", |t| !t.contains("Delete \"Hall weekly\"?")).await;
    assert_eq!(
        api.count("SELECT COUNT(*) FROM report_filter_sets WHERE user_id = 3")
            .await,
        2
    );
    h.press(KeyCode::Char('d'));
    h.wait_text("Delete \"Hall weekly\"?").await;
    h.press(KeyCode::Char('y'));
    h.wait_for("deleted", |t| !t.contains("Hall weekly") && t.contains("Two pupils"))
        .await;
    assert_eq!(
        api.count("SELECT COUNT(*) FROM report_filter_sets WHERE user_id = 3")
            .await,
        1
    );
}

/// A client of `api` at 80x24 whose print command is `command`, signed in as the teacher, on
/// the first report.
async fn printing(api: &Api, command: Option<Vec<String>>) -> Harness {
    let mut h = Harness::with(
        &api.srv.url,
        client_support::Opts {
            width: 80,
            height: 24,
            print_command: command,
            ..Default::default()
        },
    );
    h.sign_in(TEACHER.0, TEACHER.1).await;
    h.press(KeyCode::Char('a'));
    report_number(&mut h, 1).await;
    h
}

/// The server's own printout of the report shown on `h`, sorted as shown.
async fn server_printout(api: &Api, h: &Harness) -> String {
    let report = page(h).report.clone().unwrap();
    let token = api.sign_in(common::TEACHER).await;
    let path = format!(
        "/reports/global?from={}&to={}&format=text&sort=0",
        report.from, report.to
    );
    let reply = api.get(&path, Some(&token)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.text
}

#[tokio::test(flavor = "multi_thread")]
async fn p_pipes_the_printout_to_the_print_command_or_saves_it_when_there_is_none_or_it_fails() {
    let api = Api::start().await;
    let spool = tempfile::tempdir().unwrap();
    let printed = spool.path().join("printed.txt");
    let command = vec!["sh".to_string(), "-c".into(), format!("cat > '{}'", printed.display())];
    let mut h = printing(&api, Some(command)).await;
    h.press(KeyCode::Char('o'));
    h.press(KeyCode::Char('P'));
    let text = h.wait_text("Printed the Global Incident Report").await;
    assert!(text.contains("(sh took it)"), "{text}");
    let expected = server_printout(&api, &h).await;
    assert_eq!(
        std::fs::read_to_string(&printed).unwrap(),
        expected,
        "the server's printout, in the order shown"
    );
    assert!(
        expected.contains("Global Incident Report") && expected.contains("/20"),
        "{expected}"
    );
    assert_eq!(
        std::fs::read_dir(h.dir.path())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "txt"))
            .count(),
        0,
        "printed, not saved"
    );

    // No print command: saved as a private .txt file, and the line says so.
    let mut h = printing(&api, None).await;
    h.press(KeyCode::Char('P'));
    let text = h.wait_text("Saved to").await;
    let report = page(&h).report.clone().unwrap();
    let name = format!("global-{}-{}.txt", report.from, report.to);
    assert!(text.contains(&name), "the file's name is on the line: {text}");
    let saved = h.dir.path().join(&name);
    assert!(
        std::fs::read_to_string(&saved)
            .unwrap()
            .contains("Global Incident Report")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&saved).unwrap().permissions().mode() & 0o777, 0o600);
    }

    // A spooler that refuses: said in its words, and the printout is saved, not lost.
    let refusing = vec![
        "sh".to_string(),
        "-c".into(),
        "cat >/dev/null; echo 'lp: The printer or class does not exist.' >&2; exit 1".into(),
    ];
    let mut h = printing(&api, Some(refusing)).await;
    h.press(KeyCode::Char('P'));
    let text = h
        .wait_words("Not printed: sh stopped with status 1: lp: The printer or class does not exist.")
        .await;
    assert!(client_support::words(&text).contains("It is saved to"), "{text}");
    assert!(
        std::fs::read_dir(h.dir.path())
            .unwrap()
            .any(|e| e.unwrap().path().extension().is_some_and(|x| x == "txt")),
        "saved instead"
    );
}
