-- The phases become the state machine's (scoring/year/phases.py): the stored strings stay,
-- and the database now refuses any other. DuckDB cannot add a CHECK to an existing table,
-- so both tables are rebuilt with the same columns, in the same order, and their rows.

ALTER TABLE contributions RENAME TO contributions_before_006;
CREATE TABLE contributions (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_contributions'),
    year INTEGER NOT NULL,
    unit_id INTEGER NOT NULL,
    class_code VARCHAR NOT NULL,
    phase VARCHAR NOT NULL DEFAULT 'inkommet' CHECK (phase IN ('inkommet', 'tilldelad', 'individuell_bedomning',
        'konsensus', 'platsbesok', 'slutlig_konsensus', 'aterkoppling_klar', 'forslag_lamnat')),
    filename VARCHAR,
    file_sha256 VARCHAR,
    original_file BLOB,
    received_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    intro JSON,
    checks JSON,
    eligibility JSON,
    version INTEGER NOT NULL DEFAULT 1
);
INSERT INTO contributions SELECT * FROM contributions_before_006;
DROP TABLE contributions_before_006;

ALTER TABLE award_years RENAME TO award_years_before_006;
CREATE TABLE award_years (
    year INTEGER PRIMARY KEY,
    phase VARCHAR NOT NULL DEFAULT 'intag' CHECK (phase IN ('intag', 'bedomning', 'konsensus', 'beredning',
        'beslut', 'avslutat')),
    schedule JSON,
    settings JSON,
    locked BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    version INTEGER NOT NULL DEFAULT 1
);
INSERT INTO award_years SELECT * FROM award_years_before_006;
DROP TABLE award_years_before_006;
