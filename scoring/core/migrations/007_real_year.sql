-- The office's own year: registrations of interest, when each file arrived, requests for
-- changes (ändringsbegäran) with the corrected versions linked to the contribution, and
-- the notes the office keeps when it takes in a late file or one with findings.

CREATE SEQUENCE seq_registrations START 1;
CREATE TABLE registrations (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_registrations'),
    year INTEGER NOT NULL,
    unit_name VARCHAR NOT NULL,
    organisation VARCHAR NOT NULL,
    contact_name VARCHAR,
    contact_email VARCHAR,
    contact_phone VARCHAR,
    note VARCHAR,
    source VARCHAR NOT NULL,           -- 'för hand' or the name of the imported file
    contribution_id INTEGER,           -- the contribution that came of it
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

-- When the file reached the office (naive UTC), which may be before it was read in.
ALTER TABLE intake_files ADD COLUMN received_at TIMESTAMP;
UPDATE intake_files SET received_at = uploaded_at;
-- A corrected version of an accepted contribution, sent in answer to a request for changes.
ALTER TABLE intake_files ADD COLUMN replaces_contribution_id INTEGER;
ALTER TABLE intake_files ADD COLUMN change_request_id INTEGER;
-- The office's note when it took the file in although it was late or had findings.
ALTER TABLE intake_files ADD COLUMN accept_note VARCHAR;
ALTER TABLE contributions ADD COLUMN late BOOLEAN NOT NULL DEFAULT FALSE;

CREATE SEQUENCE seq_change_requests START 1;
CREATE TABLE change_requests (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_change_requests'),
    contribution_id INTEGER NOT NULL,
    reason VARCHAR NOT NULL,
    working_days INTEGER NOT NULL,
    due_date DATE NOT NULL,
    status VARCHAR NOT NULL DEFAULT 'skickad' CHECK (status IN ('skickad', 'besvarad', 'aterkallad')),
    requested_by VARCHAR NOT NULL,
    requested_at TIMESTAMP NOT NULL,
    answered_intake_id INTEGER,
    closed_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1
);
