-- After the jury: a contribution's phases go on past the proposal (decided, feedback visit
-- booked and held, report handed over), the feedback visit is recorded, and the office's
-- reasons for ending a year with a contribution not finished are kept. DuckDB cannot change
-- a CHECK, so contributions is rebuilt with the same columns, in the same order, and its rows.

ALTER TABLE contributions RENAME TO contributions_before_008;
CREATE TABLE contributions (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_contributions'),
    year INTEGER NOT NULL,
    unit_id INTEGER NOT NULL,
    class_code VARCHAR NOT NULL,
    phase VARCHAR NOT NULL DEFAULT 'inkommet' CHECK (phase IN ('inkommet', 'tilldelad', 'individuell_bedomning',
        'konsensus', 'platsbesok', 'slutlig_konsensus', 'aterkoppling_klar', 'forslag_lamnat', 'beslutad',
        'aterbesok_bokat', 'aterbesok_genomfort', 'rapport_overlamnad')),
    filename VARCHAR,
    file_sha256 VARCHAR,
    original_file BLOB,
    received_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    intro JSON,
    checks JSON,
    eligibility JSON,
    version INTEGER NOT NULL DEFAULT 1,
    late BOOLEAN NOT NULL DEFAULT FALSE
);
INSERT INTO contributions SELECT * FROM contributions_before_008;
DROP TABLE contributions_before_008;

-- Empty until booked: the office may hand a report over without a visit, with its reason.
CREATE TABLE feedback_visits (
    contribution_id INTEGER PRIMARY KEY,
    visit_date DATE,
    starts_at TIME,
    ends_at TIME,
    place VARCHAR,
    team_participants VARCHAR,
    unit_participants VARCHAR,
    notes VARCHAR,
    held_on DATE,
    handed_over_on DATE,
    handed_over_how VARCHAR,
    override_reason VARCHAR,         -- the office's reason for a handover before the ceremony or the visit
    version INTEGER NOT NULL DEFAULT 1
);

-- A contribution the office lets the year end without (withdrawn, stopped), with its reason.
CREATE TABLE year_end_exceptions (
    contribution_id INTEGER PRIMARY KEY,
    reason VARCHAR NOT NULL,
    recorded_by VARCHAR NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
