//! Helpers of the issue-11 tests: report bodies, signing in a second member of staff, finding
//! incidents the teacher may or may not see.

use bsmart::wire::Incident;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{Api, Reply, execute_sql};

/// A standard report about `individuals` at `at`.
pub fn report(id: uuid::Uuid, individuals: &[i64], at: DateTime<Utc>) -> Value {
    json!({
        "id": id,
        "kind": "standard",
        "individual_ids": individuals,
        "occurred_at": at,
        "location_id": 1,
        "what_happened": "Threw a chair across the corridor after break.",
        "injury": { "occurred": false },
        "pild": { "triggers": "Noise at the end of break." }
    })
}

/// A physical intervention report about `individual` at `at` (techniques 1 and 8).
pub fn physical_report(id: uuid::Uuid, individual: i64, at: DateTime<Utc>) -> Value {
    let mut body = report(id, &[individual], at);
    body["kind"] = json!("physical_intervention");
    body["physical"] = json!({
        "started_at": at,
        "ended_at": at + chrono::Duration::minutes(4),
        "staff_response": "Guided away from the group to the quiet room.",
        "deescalation": [{ "technique_id": 1, "effectiveness": 4 }],
        "physical_techniques": [{ "technique_id": 8, "effectiveness": 3 }]
    });
    body
}

impl Api {
    /// Now on the server's clock, less a few minutes (a time a report may give).
    pub fn recently(&self) -> DateTime<Utc> {
        self.clock().now() - chrono::Duration::minutes(10)
    }

    /// `POST /incidents`, asserting 201, answering the incident.
    pub async fn create_incident(&self, body: &Value, token: &str) -> Incident {
        let r = self.post("/incidents", body, Some(token)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        serde_json::from_str(&r.text).unwrap()
    }

    /// A member of staff who can sign in, granted `individuals`; answers (user id, token).
    pub async fn other_staff(&self, email: &str, individuals: &[i64]) -> (i64, String) {
        let staff = self
            .srv
            .add_staff(email, "a long enough test passphrase 42", false)
            .await;
        let id = self
            .count(&format!("SELECT id FROM users WHERE email = '{email}'"))
            .await;
        for individual in individuals {
            execute_sql(
                &self.srv.db_path,
                &format!(
                    "INSERT INTO access_permissions (user_id, individual_id, level, granted_at)
                     VALUES ({id}, {individual}, 'record', 0)"
                ),
            )
            .await;
        }
        let token = self.srv.bearer(&staff.email, &staff.password, None).await;
        (id, token)
    }

    /// A demo incident the teacher may not see: its number, and the hidden individual's names.
    pub async fn hidden_incident(&self) -> (i64, Vec<String>) {
        let number = self
            .count(
                "SELECT number FROM incidents WHERE deleted_at IS NULL AND individual_id NOT IN
                   (SELECT individual_id FROM access_permissions WHERE user_id = 3)
                 ORDER BY number LIMIT 1",
            )
            .await;
        let names = super::query_text(
            &self.srv.db_path,
            &format!(
                "SELECT p.first_name || ' ' || p.last_name, p.last_name FROM incidents i
                 JOIN individuals p ON p.id = i.individual_id WHERE i.number = {number}"
            ),
        )
        .await;
        (number, names[0].iter().map(|(_, v)| v.clone()).collect())
    }

    /// A demo incident the teacher may see.
    pub async fn seen_incident(&self) -> i64 {
        self.count(
            "SELECT number FROM incidents i WHERE deleted_at IS NULL AND NOT EXISTS (
                 SELECT 1 FROM incident_individuals s WHERE s.incident_id = i.id AND s.role = 'subject'
                   AND s.individual_id NOT IN (SELECT individual_id FROM access_permissions WHERE user_id = 3))
             ORDER BY number LIMIT 1",
        )
        .await
    }
}

/// The body of a reply as an incident.
pub fn incident(r: &Reply) -> Incident {
    assert!(r.status == 200 || r.status == 201, "{}: {}", r.status, r.text);
    serde_json::from_str(&r.text).unwrap_or_else(|e| panic!("not an Incident ({e}): {}", r.text))
}
