-- Individual assessment: who saved last (so a stale save can say who changed what),
-- and why a submitted assessment was reopened.
ALTER TABLE assessments ADD COLUMN updated_by VARCHAR;
ALTER TABLE assessments ADD COLUMN reopened_reason VARCHAR;
ALTER TABLE assessments ADD COLUMN reopened_by VARCHAR;
ALTER TABLE assessments ADD COLUMN reopened_at TIMESTAMP;
