-- Issue 17. The jury committee as people: the year's members with their chair, each
-- declaring conflicts of interest per candidate before seeing the candidates. A decision
-- keeps who took part, who was recused, and why the jury went beyond the team's proposal.
CREATE TABLE jury_members (
    year INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    organisation VARCHAR,
    is_chair BOOLEAN NOT NULL DEFAULT FALSE,
    added_by VARCHAR NOT NULL,
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (year, user_id)
);

CREATE TABLE jury_declarations (
    year INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    contribution_id INTEGER NOT NULL,
    has_conflict BOOLEAN NOT NULL,
    note VARCHAR,
    declared_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, contribution_id)
);

ALTER TABLE decisions ADD COLUMN deviation_reason VARCHAR;
ALTER TABLE decisions ADD COLUMN members JSON;
ALTER TABLE decisions ADD COLUMN recused JSON;
