//! SECURITY.md rules 27 and 28 for notifications: they carry references (never a sentence with
//! a name in it), and a reader gets only those about individuals and incidents they may see
//! at the time of reading, by the same access rule as the incident list (issue 9 §1.2).

mod common;

use std::collections::{HashMap, HashSet};

use bsmart::server::store::Viewer;
use bsmart::server::testing::TestOptions;
use bsmart::wire::{Notification, NotificationList};
use common::*;

/// The notifications a token may read.
async fn notifications(api: &Api, token: &str) -> Vec<Notification> {
    let r = api.get("/notifications", Some(token)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    serde_json::from_str::<NotificationList>(&r.text)
        .expect("NotificationList")
        .items
}

/// The id of the account with `email`.
async fn user_id(api: &Api, email: &str) -> i64 {
    let rows = query_text(
        &api.srv.db_path,
        &format!("SELECT id FROM users WHERE email = '{email}'"),
    )
    .await;
    rows[0][0].1.parse().unwrap()
}

/// Every individual's name as lists show it, by id; and every form of every name (with the
/// preferred and with the first name).
async fn pupil_names(api: &Api) -> (HashMap<i64, String>, Vec<String>) {
    let sql = "SELECT id, CASE WHEN preferred_name <> '' THEN preferred_name ELSE first_name END || ' ' || last_name,
                      first_name || ' ' || last_name
               FROM individuals";
    let mut listed = HashMap::new();
    let mut every = Vec::new();
    for row in query_text(&api.srv.db_path, sql).await {
        listed.insert(row[0].1.parse().unwrap(), row[1].1.clone());
        every.extend([row[1].1.clone(), row[2].1.clone()]);
    }
    (listed, every)
}

/// The staff's display names.
async fn staff_names(api: &Api) -> HashSet<String> {
    query_text(&api.srv.db_path, "SELECT display_name FROM users")
        .await
        .into_iter()
        .map(|row| row[0].1.clone())
        .collect()
}

/// A notification's JSON without the two fields that may hold a name (the individual's own and
/// the staff member's).
fn json_without_names(n: &Notification) -> String {
    let mut value = serde_json::to_value(n).unwrap();
    let object = value.as_object_mut().unwrap();
    object.remove("individual");
    object.remove("actor");
    value.to_string()
}

/// For several seeds: the teacher's notifications name only individuals the teacher may see
/// (by the store's access rule, the incident list and the raw grants alike), reference only
/// incidents the teacher can list, and hold no pupil's name anywhere but `individual.name`;
/// and the demo data does hold notifications for the teacher about other pupils, which the
/// server left out.
#[tokio::test(flavor = "multi_thread")]
async fn teacher_reads_only_notifications_about_visible_individuals() {
    for seed in [2026, 1, 7, 42] {
        let api = Api::start_with(TestOptions {
            seed,
            ..quiet_options()
        })
        .await;
        let token = api.sign_in(TEACHER).await;
        let teacher = user_id(&api, TEACHER.email).await;
        let visible: HashSet<i64> = api
            .srv
            .store
            .visible_individual_ids(Viewer {
                user_id: teacher,
                sees_all: false,
            })
            .await
            .unwrap()
            .into_iter()
            .collect();
        let granted: HashSet<i64> = query_text(
            &api.srv.db_path,
            &format!("SELECT individual_id FROM access_permissions WHERE user_id = {teacher}"),
        )
        .await
        .into_iter()
        .map(|row| row[0].1.parse().unwrap())
        .collect();
        assert_eq!(visible, granted, "seed {seed}: the access rule is not the grants");
        let (incidents, _) = api.all_incidents(&token, "").await;
        let listed: HashSet<&str> = incidents.iter().map(|i| i.reference.as_str()).collect();
        assert!(
            incidents.iter().all(|i| visible.contains(&i.individual.id)),
            "seed {seed}: the incident list disagrees with the access rule"
        );
        let (names, every_name) = pupil_names(&api).await;
        let staff = staff_names(&api).await;
        let items = notifications(&api, &token).await;
        assert!(!items.is_empty(), "seed {seed}: the teacher has no notifications");
        for n in &items {
            let individual = n
                .individual
                .as_ref()
                .unwrap_or_else(|| panic!("seed {seed}: a notification without its individual: {n:?}"));
            assert!(
                visible.contains(&individual.id),
                "seed {seed}: a notification about individual {} the teacher may not see",
                individual.id
            );
            assert_eq!(
                Some(individual.name.unmasked()),
                names.get(&individual.id).map(String::as_str)
            );
            if let Some(reference) = &n.incident_reference {
                assert!(
                    listed.contains(reference.as_str()),
                    "seed {seed}: a notification about {reference}, which the teacher cannot list"
                );
            }
            if let Some(actor) = &n.actor {
                assert!(staff.contains(actor), "seed {seed}: the actor is not a member of staff");
            }
            let text = json_without_names(n);
            for name in &every_name {
                assert!(
                    !text.contains(name.as_str()),
                    "seed {seed}: a pupil's name outside `individual`"
                );
            }
        }
        let raw = query_text(
            &api.srv.db_path,
            &format!("SELECT individual_id FROM notifications WHERE user_id = {teacher}"),
        )
        .await;
        let hidden = raw
            .iter()
            .filter(|row| !visible.contains(&row[0].1.parse().unwrap()))
            .count();
        if seed == 2026 {
            assert!(hidden > 0, "the demo has no notification for the teacher to hide");
        }
        assert!(items.len() + hidden <= raw.len());
    }
}

/// The pastoral lead sees every individual, so every notification of theirs comes back (up to
/// the limit of 100), each with its individual.
#[tokio::test(flavor = "multi_thread")]
async fn lead_reads_every_notification() {
    let api = Api::start().await;
    let token = api.sign_in(LEAD).await;
    let lead = user_id(&api, LEAD.email).await;
    let raw = query_text(
        &api.srv.db_path,
        &format!("SELECT COUNT(*) FROM notifications WHERE user_id = {lead}"),
    )
    .await;
    let raw: usize = raw[0][0].1.parse().unwrap();
    let items = notifications(&api, &token).await;
    assert_eq!(items.len(), raw.min(100));
    assert!(items.iter().all(|n| n.individual.is_some()));
    assert!(
        items.iter().any(|n| n.due_on.is_some()),
        "no plan review with its due date"
    );
    assert!(
        items.iter().any(|n| n.actor.is_some()),
        "no notification names its actor"
    );
}

/// Access is read when notifications are read: removing a grant hides the notifications about
/// that individual on the very next request (and the incident list agrees), and deleting an
/// incident hides the notifications about it, for every reader.
#[tokio::test(flavor = "multi_thread")]
async fn access_changes_apply_to_notifications_at_once() {
    let api = Api::start().await;
    let token = api.sign_in(TEACHER).await;
    let lead = api.sign_in(LEAD).await;
    let teacher = user_id(&api, TEACHER.email).await;
    let before = notifications(&api, &token).await;
    let individual = before[0].individual.as_ref().unwrap().id;
    execute_sql(
        &api.srv.db_path,
        &format!("DELETE FROM access_permissions WHERE user_id = {teacher} AND individual_id = {individual}"),
    )
    .await;
    let after = notifications(&api, &token).await;
    assert!(
        after.iter().all(|n| n.individual.as_ref().unwrap().id != individual),
        "a notification about an individual whose grant was removed"
    );
    assert!(after.len() < before.len());
    let (incidents, _) = api.all_incidents(&token, "").await;
    assert!(incidents.iter().all(|i| i.individual.id != individual));

    let about_incident = after
        .iter()
        .find_map(|n| n.incident_reference.clone())
        .expect("a notification about an incident");
    let number = about_incident.rsplit('-').next().unwrap();
    execute_sql(
        &api.srv.db_path,
        &format!("UPDATE incidents SET deleted_at = 1 WHERE number = {number}"),
    )
    .await;
    for token in [&token, &lead] {
        let items = notifications(&api, token).await;
        assert!(
            items
                .iter()
                .all(|n| n.incident_reference.as_deref() != Some(about_incident.as_str())),
            "a notification about a deleted incident"
        );
    }
}
