-- Notifications carry structured references (the individual, the staff member whose action
-- raised it, the incident, communication or Smart Plan) and no text: the sentence baked in
-- before named a pupil, so it leaked the name to readers who may not see that pupil, and
-- ignored privacy mode. The server now filters them by the reader's access when they are read,
-- and the client words them.
ALTER TABLE notifications ADD COLUMN individual_id INTEGER REFERENCES individuals(id);
ALTER TABLE notifications ADD COLUMN actor_id INTEGER REFERENCES users(id);
ALTER TABLE notifications ADD COLUMN plan_id TEXT REFERENCES smart_plans(id);

-- Backfill what the referenced rows say: the incident's individual (and, for an invitation to
-- collaborate, its reporter, who invited), a communication's individual and author.
UPDATE notifications SET
    individual_id = (SELECT i.individual_id FROM incidents i WHERE i.id = notifications.incident_id),
    actor_id = CASE WHEN kind = 'collaboration_invite'
                    THEN (SELECT i.reported_by FROM incidents i WHERE i.id = notifications.incident_id) END
WHERE incident_id IS NOT NULL;
UPDATE notifications SET
    individual_id = (SELECT c.individual_id FROM communications c WHERE c.id = notifications.communication_id),
    actor_id = (SELECT c.author_id FROM communications c WHERE c.id = notifications.communication_id)
WHERE communication_id IS NOT NULL;

-- A plan review reminder was stored as a sentence only: nothing says which plan it was about,
-- so it cannot be shown safely. The plans themselves stay; only these reminders go.
DELETE FROM notifications WHERE kind = 'plan_review' AND plan_id IS NULL;

ALTER TABLE notifications DROP COLUMN message;
