-- Drafts: text a person is typing into a long field (a finding, a note, a rationale, a
-- motivation) and has not yet left, kept while they type so a reload, a closed tab or a
-- lost connection loses nothing. One row per person and field; the field's own save
-- (versioned, audited) removes it. Only its author ever reads it.

CREATE TABLE drafts (
    user_id INTEGER NOT NULL,
    field VARCHAR NOT NULL,           -- which field: e.g. bedomning:12:f34:text
    text VARCHAR NOT NULL,
    based_on VARCHAR NOT NULL,        -- the saved text the draft was typed over
    saved_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, field)
);
