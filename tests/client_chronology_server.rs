//! A pupil's chronology (issue 13) in the real client against a real server: `C` on a profile
//! and on an individual's row of Analytics opens it; it holds every entry the server has for
//! the pupil, newest first, loading the next page by its cursor as the selection nears the
//! end; `Enter` on an incident opens that incident.

mod client_support;
mod common;

use bsmart::client::screens::chronology::Chronology;
use bsmart::wire::{ChronologyEntry, ChronologyItem, ChronologyPage};
use client_support::{Harness, TEACHER, assert_clean};
use common::Api;
use crossterm::event::KeyCode;

/// Every entry of `id`'s chronology as the teacher's API answers it, walked page by page.
async fn all_entries(api: &Api, id: i64) -> Vec<ChronologyEntry> {
    let token = api.sign_in(common::TEACHER).await;
    let mut entries = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let after = cursor.as_ref().map(|c| format!("&cursor={c}")).unwrap_or_default();
        let reply = api
            .get(&format!("/individuals/{id}/chronology?limit=500{after}"), Some(&token))
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        let page: ChronologyPage = serde_json::from_str(&reply.text).unwrap();
        entries.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return entries,
        }
    }
}

/// The chronology on top of `h`.
fn page(h: &Harness) -> &Chronology {
    h.runner.app.page::<Chronology>().expect("the chronology is on top")
}

#[tokio::test(flavor = "multi_thread")]
async fn c_on_a_profile_opens_every_entry_newest_first_paged_and_enter_opens_an_incident() {
    let api = Api::start().await;
    // The teacher's pupil with the most clicks, so the timeline runs past one page.
    let pupil = api
        .count(
            "SELECT c.individual_id FROM clicks c
             JOIN access_permissions a ON a.individual_id = c.individual_id AND a.user_id = 3
             GROUP BY c.individual_id ORDER BY COUNT(*) DESC, c.individual_id LIMIT 1",
        )
        .await;
    let name = api
        .value(&format!(
            "SELECT first_name || ' ' || last_name FROM individuals WHERE id = {pupil}"
        ))
        .await;
    // A busy term: 250 more clicks, two to each minute (ties on the same second page apart).
    common::execute_sql(
        &api.srv.db_path,
        &format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250)
             INSERT INTO clicks (id, individual_id, behaviour_id, user_id, occurred_at, recorded_at)
             SELECT printf('00000000-0000-4000-8000-%012d', i), {pupil}, 1, 3, {at} - (i / 2) * 60, {at} FROM n",
            at = api.clock().now().timestamp() - 3600
        ),
    )
    .await;
    let expected = all_entries(&api, pupil).await;
    assert!(
        expected.len() > 2 * bsmart::client::screens::chronology::PAGE as usize,
        "the demo pupil has {} entries: too few to page",
        expected.len()
    );
    assert!(
        expected
            .iter()
            .any(|e| matches!(e.item, ChronologyItem::Incident { .. }))
    );

    let mut h = Harness::sized(&api.srv.url, 80, 24);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    h.press(KeyCode::Char('p'));
    h.wait_text("Profiles").await;
    h.press(KeyCode::Char('/'));
    h.type_text(&name);
    h.wait_text("(1 of").await;
    h.press(KeyCode::Enter);
    h.wait_for("the profile", |t| t.contains(&name) && t.contains("Overview"))
        .await;
    h.press(KeyCode::Char('C'));
    let text = h
        .wait_for("the first page", |t| {
            t.contains("Chronology:") && t.contains("so far, more below")
        })
        .await;
    assert!(text.contains(&name), "{text}");
    assert!(
        text.contains("When") && text.contains("What") && text.contains("By"),
        "{text}"
    );
    assert_eq!(
        page(&h).items.as_ref().unwrap().len(),
        bsmart::client::screens::chronology::PAGE as usize
    );
    assert_clean(h.runner.terminal.backend().buffer());

    // To the end: each page comes as the selection nears the last loaded.
    let total = format!("({})", expected.len());
    let step = bsmart::client::screens::chronology::PAGE as usize;
    for loaded in (2 * step..).step_by(step) {
        h.press(KeyCode::End);
        let next = format!("({loaded} so far");
        let text = h
            .wait_for("the next page", |t| t.contains(&next) || t.contains(&total))
            .await;
        if text.contains(&total) {
            break;
        }
    }
    h.wait_text(&total).await;
    assert_eq!(
        page(&h).items.as_ref().unwrap(),
        &expected,
        "every entry once, in the server's order"
    );
    let at: Vec<_> = expected.iter().map(|e| e.at).collect();
    assert!(at.windows(2).all(|w| w[0] >= w[1]), "newest first");

    // Enter on an incident opens it.
    let (index, reference) = expected
        .iter()
        .enumerate()
        .find_map(|(i, e)| match &e.item {
            ChronologyItem::Incident { reference, .. } => Some((i, reference.clone())),
            _ => None,
        })
        .unwrap();
    h.press(KeyCode::Home);
    for _ in 0..index {
        h.press(KeyCode::Down);
    }
    h.press(KeyCode::Enter);
    h.wait_for("the incident", |t| t.contains(&reference) && !t.contains("Chronology:"))
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn c_on_an_individuals_row_of_analytics_opens_their_chronology_and_elsewhere_says_how() {
    let api = Api::start().await;
    let mut h = Harness::sized(&api.srv.url, 80, 24);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    h.press(KeyCode::Char('a'));
    h.wait_for("the report", |t| t.contains("[1/7]") && !t.contains("loading…"))
        .await;
    h.press(KeyCode::Char('C'));
    h.wait_text("group the rows by individual").await;
    for _ in 0..6 {
        if h.text().contains("· by individual ·") {
            break;
        }
        h.press(KeyCode::Char('b'));
        h.wait_for("the grouping", |t| !t.contains("loading…")).await;
    }
    let text = h
        .wait_for("rows by individual", |t| {
            t.contains("· by individual ·") && !t.contains("loading…") && !t.contains("Making the report")
        })
        .await;
    let analytics = h
        .runner
        .app
        .page::<bsmart::client::screens::analytics::Analytics>()
        .unwrap();
    let row = analytics.report.as_ref().unwrap().rows[analytics.order[0]].clone();
    assert!(text.contains(&row.label), "{text}");
    h.press(KeyCode::Char('C'));
    let text = h
        .wait_for("the chronology", |t| {
            t.contains("Chronology:") && !t.contains("Loading the chronology")
        })
        .await;
    assert!(text.contains(&row.label), "{text}");
    let id: i64 = row.key.unwrap().trim_start_matches("individual:").parse().unwrap();
    let expected = all_entries(&api, id).await;
    let shown = page(&h).items.as_ref().unwrap();
    assert_eq!(shown[..], expected[..shown.len()], "the same pupil's entries");
}
