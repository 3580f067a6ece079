-- Intake: files wait here for the admin's review; accepting one makes a contribution.
CREATE SEQUENCE seq_intake_files START 1;

CREATE TABLE intake_files (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_intake_files'),
    year INTEGER NOT NULL,
    filename VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    data BLOB NOT NULL,
    analysis JSON NOT NULL,
    summary JSON NOT NULL,
    status VARCHAR NOT NULL DEFAULT 'granskas' CHECK (status IN ('granskas', 'godkand', 'avvisad')),
    contribution_id INTEGER,
    uploaded_by VARCHAR NOT NULL,
    uploaded_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    version INTEGER NOT NULL DEFAULT 1
);

ALTER TABLE contribution_blocks ADD COLUMN role VARCHAR;
ALTER TABLE contribution_blocks ADD COLUMN images INTEGER DEFAULT 0;
