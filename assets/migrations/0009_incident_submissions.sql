-- Issue 11, server side: what a report was submitted as, so that a retry of the same
-- submission (same id, same body) is recognised as the same record and another body under the
-- same id is refused (409), even after the report has been edited.
ALTER TABLE incidents ADD COLUMN submitted_hash TEXT NOT NULL DEFAULT '';

-- Every report stored before 0008 is about its incidents.individual_id: make that a 'subject'
-- row, so the access rule (a report is visible to whoever may see every individual it is about)
-- reads one table. (A pre-0008 'involved' row for the same individual cannot exist: the list
-- of others never held the primary individual.)
INSERT OR IGNORE INTO incident_individuals (incident_id, individual_id, role)
    SELECT id, individual_id, 'subject' FROM incidents;

-- Smart Plans of GET /plans, most recently changed first.
CREATE INDEX smart_plans_updated ON smart_plans(updated_at DESC, id);

-- The same for Smart Plans (idempotent by their client-made id).
ALTER TABLE smart_plans ADD COLUMN submitted_hash TEXT NOT NULL DEFAULT '';
