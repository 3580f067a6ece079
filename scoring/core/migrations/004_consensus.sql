-- Consensus per contribution: one version for the whole workspace, so a save from a
-- stale window (a second coordinator, the admin) is refused instead of overwriting.
CREATE TABLE consensus (
    contribution_id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 0,
    opened_by VARCHAR,
    opened_at TIMESTAMP,
    updated_by VARCHAR,
    updated_at TIMESTAMP
);

CREATE TABLE consensus_areas (
    contribution_id INTEGER NOT NULL,
    area_code VARCHAR NOT NULL,
    rationale VARCHAR,
    PRIMARY KEY (contribution_id, area_code)
);

ALTER TABLE consensus_findings ADD COLUMN examples VARCHAR;
ALTER TABLE consensus_findings ADD COLUMN question_numbers JSON;
ALTER TABLE consensus_findings ADD COLUMN source_findings JSON;

CREATE SEQUENCE seq_finding_changes START 1;
CREATE TABLE finding_changes (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_finding_changes'),
    contribution_id INTEGER NOT NULL,
    finding_id INTEGER NOT NULL,
    text_before VARCHAR,
    text_after VARCHAR,
    reason VARCHAR NOT NULL,
    changed_by VARCHAR NOT NULL,
    changed_at TIMESTAMP NOT NULL
);
