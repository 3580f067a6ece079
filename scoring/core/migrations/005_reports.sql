-- Feedback reports marked final, and the Word templates the office has uploaded.
CREATE TABLE reports (
    contribution_id INTEGER PRIMARY KEY,
    final BOOLEAN NOT NULL DEFAULT FALSE,
    finalized_by VARCHAR,
    finalized_at TIMESTAMP
);

CREATE SEQUENCE seq_report_templates START 1;
CREATE TABLE report_templates (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_report_templates'),
    name VARCHAR NOT NULL,
    data BLOB NOT NULL,
    uploaded_by VARCHAR NOT NULL,
    uploaded_at TIMESTAMP NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE
);
