-- Issue 17. Appendices and copies that arrive as files of their own (the 2026
-- Verksamhetsplan, the 2024 PDF copy): kept with the intake file, then with the
-- contribution, so examiners can read the plan.
CREATE SEQUENCE seq_attachments START 1;
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_attachments'),
    intake_id INTEGER NOT NULL,
    contribution_id INTEGER,
    kind VARCHAR NOT NULL CHECK (kind IN ('bilaga', 'pdf_kopia')),
    appendix_code VARCHAR,
    filename VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    data BLOB NOT NULL,
    paragraphs JSON,
    uploaded_by VARCHAR NOT NULL,
    uploaded_at TIMESTAMP NOT NULL
);

-- A disagreement the team leaves open after consensus is what the jury's dossier lists.
ALTER TABLE consensus_areas ADD COLUMN left_open BOOLEAN DEFAULT FALSE;

-- The preparatory group's draft of the jury's motivation, per candidate.
CREATE TABLE draft_motivations (
    contribution_id INTEGER PRIMARY KEY,
    text VARCHAR NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
ALTER TABLE contribution_blocks ADD COLUMN appendix_code VARCHAR;
