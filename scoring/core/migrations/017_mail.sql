-- E-mail: every message the workbench sends (the outbox) with its attachments, the
-- office's own wording of each kind of message, people who get no reminders, one-time
-- links to set a password (only a hash of the link's token is kept), and the site
-- visit's time of day for its calendar invitation.

CREATE SEQUENCE seq_outbox START 1;
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY DEFAULT nextval('seq_outbox'),
    kind VARCHAR NOT NULL,             -- which template: inbjudan, tilldelad, paminnelse_individuell …
    why VARCHAR NOT NULL,              -- in the office's words: what made the workbench send it
    year INTEGER,
    contribution_id INTEGER,
    user_id INTEGER,                   -- the account it was sent to (NULL for a unit's contact)
    recipient VARCHAR NOT NULL,
    recipient_name VARCHAR,
    subject VARCHAR NOT NULL,
    body VARCHAR NOT NULL,
    dedupe_key VARCHAR,                -- a reminder is sent once per person and deadline
    password_link_user INTEGER,        -- the link to set a password is made when the message is sent
    status VARCHAR NOT NULL DEFAULT 'vantar' CHECK (status IN ('vantar', 'skickat', 'misslyckat', 'ej_skickat')),
    attempts INTEGER NOT NULL DEFAULT 0,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    next_attempt_at TIMESTAMP,
    last_attempt_at TIMESTAMP,
    sent_at TIMESTAMP,
    server_answer VARCHAR,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE outbox_attachments (
    message_id INTEGER NOT NULL,
    filename VARCHAR NOT NULL,
    content_type VARCHAR NOT NULL,
    data BLOB NOT NULL
);

CREATE TABLE mail_templates (
    kind VARCHAR PRIMARY KEY,
    subject VARCHAR NOT NULL,
    body VARCHAR NOT NULL,
    updated_by VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE reminder_stops (
    user_id INTEGER PRIMARY KEY,
    reason VARCHAR NOT NULL,
    stopped_by VARCHAR NOT NULL,
    stopped_at TIMESTAMP NOT NULL
);

CREATE TABLE password_links (
    token_hash VARCHAR PRIMARY KEY,
    user_id INTEGER NOT NULL,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);

ALTER TABLE site_visits ADD COLUMN starts_at TIME;
ALTER TABLE site_visits ADD COLUMN ends_at TIME;
