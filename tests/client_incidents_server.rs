//! Incidents and Smart Plans (issue 11) end to end: the real client at 80x24 against the real
//! server on loopback with the demo data. A lead reports an incident with the teacher named
//! present; the teacher opens the invitation from the dashboard, adds their own account,
//! records that parents were told, flags it, is not offered delete, and downloads it (a 0600
//! file whose path is shown); the admin deletes it with a reason; the teacher writes a Smart
//! Plan in the builder and finds it on the list.

mod client_support;
mod common;

use bsmart::wire::{Incident, PlanList};
use client_support::{Harness, TEACHER, words};
use common::reports::report;
use common::{ADMIN, Api, LEAD};
use crossterm::event::KeyCode;
use serde_json::json;

/// A report by the lead about an individual the teacher may see, with the teacher present.
async fn reported_with_teacher_present(api: &Api) -> Incident {
    let lead = api.sign_in(LEAD).await;
    let (seen, _, _) = api.teacher_individuals().await;
    let mut body = report(uuid::Uuid::new_v4(), &[seen], api.recently());
    body["staff_present_ids"] = json!([3]);
    api.create_incident(&body, &lead).await
}

/// On the dashboard, `Tab` to the notifications and walk to the one naming `reference`.
async fn open_notification_about(h: &mut Harness, reference: &str) {
    h.press(KeyCode::Tab);
    for _ in 0..20 {
        let text = h.text();
        let selected = text
            .lines()
            .skip_while(|l| !l.contains("My notifications"))
            .find(|l| l.contains('▶'))
            .unwrap_or_default()
            .to_string();
        if selected.contains(reference) {
            h.press(KeyCode::Enter);
            return;
        }
        h.press(KeyCode::Char('j'));
    }
    panic!("no notification about {reference}:\n{}", h.text());
}

/// On a table, move down to the row naming `reference` (the selected row has ▶).
fn select_row(h: &mut Harness, reference: &str) {
    for _ in 0..40 {
        let text = h.text();
        if text.lines().any(|l| l.contains('▶') && l.contains(reference)) {
            return;
        }
        h.press(KeyCode::Char('j'));
    }
    panic!("no row {reference}:\n{}", h.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_present_open_the_invitation_add_their_account_and_manage_the_incident() {
    let api = Api::start().await;
    let incident = reported_with_teacher_present(&api).await;
    let reference = incident.reference.clone();

    let mut h = Harness::sized(&api.srv.url, 80, 24);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    open_notification_about(&mut h, &reference).await;
    let text = h.wait_words("About:").await;
    assert!(text.contains(&format!("Incident {reference}")), "{text}");

    h.press(KeyCode::Char('a'));
    h.type_text("I was at the door and saw him leave.");
    h.ctrl('s');
    h.wait_words("your account is added").await;

    h.press(KeyCode::Char('p'));
    h.type_text("-5m");
    h.press(KeyCode::Enter);
    h.type_text("Phone call to mother");
    h.press(KeyCode::Enter);
    h.wait_words("parents informed recorded").await;

    h.press(KeyCode::Char('f'));
    h.type_text("Third time this week");
    h.press(KeyCode::Enter);
    h.wait_words("flagged for attention").await;

    h.press(KeyCode::Char('D'));
    h.wait_words("needs the delete permission").await;

    h.press(KeyCode::Char('w'));
    let text = h.wait_words("Saved to").await;
    let path = h.dir.path().join(format!("{reference}.md"));
    assert!(text.contains(&path.display().to_string()), "{text}");
    let file = std::fs::read_to_string(&path).unwrap();
    assert!(
        file.contains(&reference) && file.contains("I was at the door"),
        "{file}"
    );
    assert!(file.chars().all(|c| c == '\n' || !c.is_control()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    }

    // Everything landed, on the server, under the teacher's name.
    let teacher = api.sign_in(common::TEACHER).await;
    let got = api.get(&format!("/incidents/{reference}"), Some(&teacher)).await;
    let got: Incident = serde_json::from_str(&got.text).unwrap();
    assert_eq!(got.accounts.len(), 1);
    assert_eq!(got.accounts[0].author.id, 3);
    assert_eq!(got.parents_informed.as_ref().unwrap().how, "Phone call to mother");
    assert_eq!(got.flag.as_ref().unwrap().reason, "Third time this week");
    assert!(!got.can.delete);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_deletes_an_incident_with_a_reason_from_the_incidents_page() {
    let api = Api::start().await;
    let incident = reported_with_teacher_present(&api).await;
    let reference = incident.reference.clone();

    let mut h = Harness::sized(&api.srv.url, 80, 24);
    h.sign_in_with_code(ADMIN.email, ADMIN.password, &api.code_now(ADMIN.totp.unwrap()))
        .await;
    h.press(KeyCode::Char('i'));
    let text = h.wait_words(&reference).await;
    assert!(text.contains("Showing: last 30 days"), "{text}");
    select_row(&mut h, &reference);
    h.press(KeyCode::Enter);
    h.wait_words(&format!("Incident {reference}")).await;
    h.wait_words("About:").await;
    h.press(KeyCode::Char('D'));
    h.type_text("Recorded twice");
    h.press(KeyCode::Enter);
    h.wait_words("y deletes").await;
    h.press(KeyCode::Char('y'));
    let text = h.wait_words(&format!("Deleted {reference}")).await;
    assert!(text.contains("Showing:"), "back on the list:\n{text}");

    let admin = api.sign_in(ADMIN).await;
    let gone = api.get(&format!("/incidents/{reference}"), Some(&admin)).await;
    assert_eq!(gone.status, 404, "{}", gone.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_teacher_writes_a_smart_plan_in_the_builder_and_finds_it_on_the_list() {
    let api = Api::start().await;
    let mut h = Harness::sized(&api.srv.url, 80, 24);
    h.sign_in(TEACHER.0, TEACHER.1).await;
    h.press(KeyCode::Char('s'));
    h.wait_words("Smart Plans (").await;
    h.press(KeyCode::Char('n'));
    h.wait_words("A new Smart Plan for").await;
    h.wait_for("individuals", |t| t.contains("A new Smart Plan for… ("))
        .await;
    h.press(KeyCode::Enter);
    h.wait_words("Smart Plan builder").await;
    h.press(KeyCode::Tab);
    h.type_text("Meet at the gate each morning");
    for _ in 0..4 {
        h.press(KeyCode::Tab);
    }
    h.type_text("+6w");
    h.ctrl('s');
    let text = h.wait_words("saved, to be reviewed on").await;
    assert!(text.contains("Smart Plans ("), "back on the list:\n{text}");
    let text = h.wait_words("Smart Plan").await;
    let teacher = api.sign_in(common::TEACHER).await;
    let list = api.get("/plans", Some(&teacher)).await;
    let list: PlanList = serde_json::from_str(&list.text).unwrap();
    let mine = list
        .items
        .iter()
        .find(|p| p.strategies == "Meet at the gate each morning")
        .unwrap_or_else(|| panic!("the plan is on the server: {list:?}\n{text}"));
    assert_eq!(mine.title, "Smart Plan");
    assert!(mine.review_on.is_some());
    assert!(words(&h.text()).contains(&mine.title));
}
