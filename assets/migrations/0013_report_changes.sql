-- Issue 13: analytics at trust scale. SQLite's best plan for one count per individual over a
-- year of a million clicks reads the whole index (370 ms on this machine), so the server keeps
-- the few columns a report counts in memory (src/server/store/report_index.rs) and learns of
-- every change from this log: each insert, update and delete of a counted row, by any process
-- and any path (the clicker's writer, an incident edit, an undo, the retention rule, an import),
-- is logged here by a trigger in the same transaction, so the memory is never behind a commit it
-- can see.
--
-- `kind`: 1 a click, 2 an incident (its own row or one of its people, staff or techniques), 3 a
-- communication, 4 an individual (the name a report shows). `row_id` is that row's id (text for
-- records, an integer for individuals). AUTOINCREMENT: a sequence number is never used twice,
-- even after the log is emptied, so "every change after N" stays exact.
CREATE TABLE report_changes (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    kind    INTEGER NOT NULL,
    row_id
);

-- The log is emptied from time to time; a reader that had not seen every change emptied
-- (`through` is past what it has seen) loads everything again.
CREATE TABLE report_changes_pruned (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    through  INTEGER NOT NULL
);
INSERT INTO report_changes_pruned (id, through) VALUES (1, 0);

CREATE TRIGGER report_click_inserted AFTER INSERT ON clicks
BEGIN INSERT INTO report_changes (kind, row_id) VALUES (1, NEW.id); END;
CREATE TRIGGER report_click_updated AFTER UPDATE ON clicks
BEGIN INSERT INTO report_changes (kind, row_id) VALUES (1, NEW.id), (1, OLD.id); END;
CREATE TRIGGER report_click_deleted AFTER DELETE ON clicks
BEGIN INSERT INTO report_changes (kind, row_id) VALUES (1, OLD.id); END;

CREATE TRIGGER report_incident_inserted AFTER INSERT ON incidents
BEGIN INSERT INTO report_changes (kind, row_id) VALUES (2, NEW.id); END;
CREATE TRIGGER report_incident_updated AFTER UPDATE ON incidents
BEGIN INSERT INTO report_changes (kind, row_id) VALUES (2, NEW.id), (2, OLD.id); END;
CREATE TRIGGER report_incident_deleted AFTER DELETE ON incidents
BEGIN INSERT INTO report_changes (kind, row_id) VALUES (2, OLD.id); END;

CREATE TRIGGER report_incident_individual_inserted AFTER INSERT ON incident_individuals
BEGIN INSERT INTO report_changes (kind, row_id) VALUES (2, NEW.incident_id); END;
CREATE TRIGGER report_incident_individual_updated AFTER UPDATE ON incident_individuals
BEGIN INSERT INTO report_changes (kind, row_id) VALUES (2, NEW.incident_id), (2, OLD.incident_id); END;
CREATE TRIGGER report_incident_individual_deleted AFTER DELETE ON incident_individuals
BEGIN INSERT INTO report_changes (kind, row_id) VALUES (2, OLD.incident_id); END;

CREATE TRIGGER report_incident_staff_inserted AFTER INSERT ON incident_staff
BEGIN INSERT INTO report_changes (kind, row_id) VALUES (2, NEW.incident_id); END;
CREATE TRIGGER report_incident_staff_updated AFTER UPDATE ON incident_staff
BEGIN INSERT INTO report_changes (kind, row_id) VALUES (2, NEW.incident_id), (2, OLD.incident_id); END;
CREATE TRIGGER report_incident_staff_deleted AFTER DELETE ON incident_staff
BEGIN INSERT INTO report_changes (kind, row_id) VALUES (2, OLD.incident_id); END;

CREATE TRIGGER report_incident_technique_inserted AFTER INSERT ON incident_techniques
BEGIN INSERT INTO report_changes (kind, row_id) VALUES (2, NEW.incident_id); END;
CREATE TRIGGER report_incident_technique_updated AFTER UPDATE ON incident_techniques
BEGIN INSERT INTO report_changes (kind, row_id) VALUES (2, NEW.incident_id), (2, OLD.incident_id); END;
CREATE TRIGGER report_incident_technique_deleted AFTER DELETE ON incident_techniques
BEGIN INSERT INTO report_changes (kind, row_id) VALUES (2, OLD.incident_id); END;

CREATE TRIGGER report_communication_inserted AFTER INSERT ON communications
BEGIN INSERT INTO report_changes (kind, row_id) VALUES (3, NEW.id); END;
CREATE TRIGGER report_communication_updated AFTER UPDATE ON communications
BEGIN INSERT INTO report_changes (kind, row_id) VALUES (3, NEW.id), (3, OLD.id); END;
CREATE TRIGGER report_communication_deleted AFTER DELETE ON communications
BEGIN INSERT INTO report_changes (kind, row_id) VALUES (3, OLD.id); END;

CREATE TRIGGER report_individual_inserted AFTER INSERT ON individuals
BEGIN INSERT INTO report_changes (kind, row_id) VALUES (4, NEW.id); END;
CREATE TRIGGER report_individual_updated AFTER UPDATE ON individuals
BEGIN INSERT INTO report_changes (kind, row_id) VALUES (4, NEW.id), (4, OLD.id); END;
CREATE TRIGGER report_individual_deleted AFTER DELETE ON individuals
BEGIN INSERT INTO report_changes (kind, row_id) VALUES (4, OLD.id); END;

-- Reports no longer read clicks and communications by time in SQL, so the covering indexes
-- 0012 made for them would only slow every click down.
DROP INDEX clicks_report;
DROP INDEX communications_report;
