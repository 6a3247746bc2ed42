//! A notification in words, from its references. The server sends no sentence, only who
//! did what about which individual or incident, and only about individuals the reader may see;
//! the client words it here, with the pupil's name through the privacy function.

use crate::client::privacy::Privacy;
use crate::wire::{Notification, NotificationKind};

/// One line for a notification.
pub fn describe(n: &Notification, privacy: &Privacy) -> String {
    let who = n.actor.as_deref().unwrap_or("A colleague");
    let about = n
        .individual
        .as_ref()
        .map(|i| format!(" about {}", privacy.name(&i.name)))
        .unwrap_or_default();
    let reference = n.incident_reference.as_deref().unwrap_or("an incident");
    let text = match n.kind {
        NotificationKind::CollaborationInvite => format!("{who} invited you to collaborate on {reference}{about}"),
        NotificationKind::Communication => format!("{who} sent a communication{about}"),
        NotificationKind::CommunicationResponse => format!("{who} responded to a communication{about}"),
        NotificationKind::IncidentFlagged => format!("{reference}{about} was flagged for attention"),
        NotificationKind::IncidentReported => format!("{who} reported {reference}{about}"),
        NotificationKind::PlanReview => match n.due_on {
            Some(day) => format!("The Smart Plan{about} is due for review on {}", day.format("%-d %B")),
            None => format!("The Smart Plan{about} is due for review"),
        },
    };
    // Initials already end in a full stop.
    if text.ends_with('.') { text } else { text + "." }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{IndividualRef, PupilName};

    #[test]
    fn names_follow_privacy_mode() {
        let n = Notification {
            id: 1,
            kind: NotificationKind::CollaborationInvite,
            individual: Some(IndividualRef {
                id: 4,
                name: PupilName::new("Ann Smith"),
            }),
            incident_reference: Some("besmart-10281".into()),
        communication_id: None,
            actor: Some("Lee Lead".into()),
            due_on: None,
            created_at: chrono::Utc::now(),
            read: false,
        };
        let hidden = Privacy {
            on: true,
            revealed: false,
        };
        assert_eq!(
            describe(&n, &hidden),
            "Lee Lead invited you to collaborate on besmart-10281 about A. S."
        );
        let plain = describe(&n, &Privacy::default());
        assert!(plain.ends_with("Ann Smith."), "{plain}");
    }
}
