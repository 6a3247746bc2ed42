-- Issue 10: "recent first" in the individual list reads the incidents a user reported, and a
-- profile reads one individual's notifications and plans; these indexes keep both off full scans.
CREATE INDEX incidents_reporter ON incidents(reported_by);
CREATE INDEX communication_recipients_user ON communication_recipients(user_id);
