-- The workbench's first schema: every table the award year flows through, so that
-- later features fill these in rather than redesign them.

CREATE SEQUENCE seq_users START 1;
CREATE SEQUENCE seq_units START 1;
CREATE SEQUENCE seq_contributions START 1;
CREATE SEQUENCE seq_teams START 1;
CREATE SEQUENCE seq_assessments START 1;
CREATE SEQUENCE seq_findings START 1;
CREATE SEQUENCE seq_consensus_findings START 1;
CREATE SEQUENCE seq_score_changes START 1;
CREATE SEQUENCE seq_conflicts START 1;
CREATE SEQUENCE seq_audit START 1;

CREATE TABLE settings (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_users'),
    email VARCHAR NOT NULL UNIQUE,
    name VARCHAR NOT NULL,
    role VARCHAR NOT NULL CHECK (role IN ('admin', 'examinator', 'beredningsgrupp', 'domarkommitte')),
    password_hash VARCHAR,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE sessions (
    token_hash VARCHAR PRIMARY KEY,
    user_id INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen TIMESTAMP NOT NULL,
    revoked BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE award_years (
    year INTEGER PRIMARY KEY,
    phase VARCHAR NOT NULL DEFAULT 'intag',
    schedule JSON,
    settings JSON,
    locked BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    version INTEGER NOT NULL DEFAULT 1
);

-- A unit (verksamhet) lives across years so the archive can find returning units.
CREATE TABLE units (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_units'),
    name VARCHAR NOT NULL,
    organisation VARCHAR NOT NULL,
    workplace VARCHAR,
    manager_email VARCHAR,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE contributions (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_contributions'),
    year INTEGER NOT NULL,
    unit_id INTEGER NOT NULL,
    class_code VARCHAR NOT NULL,
    phase VARCHAR NOT NULL DEFAULT 'inkommet',
    filename VARCHAR,
    file_sha256 VARCHAR,
    original_file BLOB,
    received_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    intro JSON,
    checks JSON,
    eligibility JSON,
    version INTEGER NOT NULL DEFAULT 1
);

-- The accepted structure of a contribution: one row per paragraph, table or image,
-- in document order, with a stable id that findings can anchor to.
CREATE TABLE contribution_blocks (
    contribution_id INTEGER NOT NULL,
    block_id VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    section VARCHAR NOT NULL CHECK (section IN ('inledning', 'fraga', 'bilaga', 'ovrigt')),
    intro_section VARCHAR,
    question_number INTEGER,
    part_label VARCHAR,
    kind VARCHAR NOT NULL CHECK (kind IN ('rubrik', 'stycke', 'tabell', 'bild')),
    text VARCHAR NOT NULL,
    PRIMARY KEY (contribution_id, block_id)
);

CREATE TABLE examiners (
    user_id INTEGER PRIMARY KEY,
    organisation VARCHAR NOT NULL,
    workplace VARCHAR,
    former_workplaces VARCHAR,
    manager_email VARCHAR,
    competences VARCHAR,
    years_as_examiner INTEGER NOT NULL DEFAULT 0,
    is_new BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE teams (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_teams'),
    year INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    coordinator_id INTEGER,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE team_members (
    team_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    PRIMARY KEY (team_id, user_id)
);

CREATE TABLE assignments (
    contribution_id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL,
    assigned_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    assigned_by VARCHAR NOT NULL,
    reason VARCHAR
);

CREATE TABLE conflict_declarations (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_conflicts'),
    contribution_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    has_conflict BOOLEAN NOT NULL,
    confidentiality_accepted BOOLEAN NOT NULL,
    note VARCHAR,
    declared_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE assessments (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_assessments'),
    contribution_id INTEGER NOT NULL,
    examiner_id INTEGER NOT NULL,
    status VARCHAR NOT NULL DEFAULT 'utkast' CHECK (status IN ('utkast', 'inlamnad', 'last')),
    started_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    submitted_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (contribution_id, examiner_id)
);

CREATE TABLE assessment_areas (
    assessment_id INTEGER NOT NULL,
    area_code VARCHAR NOT NULL,
    criterion_scores JSON,
    area_score INTEGER,
    site_visit_questions JSON,
    PRIMARY KEY (assessment_id, area_code)
);

CREATE TABLE findings (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_findings'),
    assessment_id INTEGER NOT NULL,
    area_code VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('styrka', 'utvecklingsomrade')),
    text VARCHAR NOT NULL,
    examples VARCHAR,
    question_numbers JSON,
    anchors JSON,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE question_notes (
    assessment_id INTEGER NOT NULL,
    question_number INTEGER NOT NULL,
    note VARCHAR NOT NULL,
    PRIMARY KEY (assessment_id, question_number)
);

CREATE TABLE consensus_scores (
    contribution_id INTEGER NOT NULL,
    area_code VARCHAR NOT NULL,
    criterion_code VARCHAR NOT NULL,
    score INTEGER,
    rationale VARCHAR,
    updated_by VARCHAR,
    updated_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (contribution_id, area_code, criterion_code)
);

CREATE TABLE consensus_findings (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_consensus_findings'),
    contribution_id INTEGER NOT NULL,
    area_code VARCHAR,
    kind VARCHAR NOT NULL CHECK (kind IN ('styrka', 'utvecklingsomrade')),
    text VARCHAR NOT NULL,
    contributors JSON,
    anchors JSON,
    is_key_theme BOOLEAN NOT NULL DEFAULT FALSE,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE score_changes (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_score_changes'),
    contribution_id INTEGER NOT NULL,
    area_code VARCHAR NOT NULL,
    criterion_code VARCHAR NOT NULL,
    score_before INTEGER,
    score_after INTEGER,
    reason VARCHAR NOT NULL,
    changed_by VARCHAR NOT NULL,
    changed_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE site_visits (
    contribution_id INTEGER PRIMARY KEY,
    visit_date DATE,
    participants VARCHAR,
    documents JSON,
    questions JSON,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE proposals (
    contribution_id INTEGER PRIMARY KEY,
    proposal VARCHAR NOT NULL CHECK (proposal IN ('utmarkelse', 'hedersomnamnande', 'inget')),
    motivation VARCHAR NOT NULL,
    submitted_by VARCHAR NOT NULL,
    submitted_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE decisions (
    contribution_id INTEGER PRIMARY KEY,
    decision VARCHAR NOT NULL CHECK (decision IN ('utmarkelse', 'hedersomnamnande', 'ingen')),
    motivation VARCHAR,
    decided_by VARCHAR NOT NULL,
    decided_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_audit'),
    at_time TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    entity VARCHAR NOT NULL,
    entity_id VARCHAR,
    before_value JSON,
    after_value JSON
);
