-- Issue 17. Competition classes exist only where a year's instructions name them (2012):
-- a contribution of a year without classes has none. The class codes recorded for 2024
-- and 2026 were invented by the earlier year files, so they are cleared.
ALTER TABLE contributions ALTER COLUMN class_code DROP NOT NULL;
UPDATE contributions SET class_code = NULL WHERE year IN (2024, 2026);

-- Award years the office writes on the screen (scoring/year/framework_store.py): the
-- current version, and every version with who, when and, once frozen, why.
CREATE TABLE frameworks (
    year INTEGER PRIMARY KEY,
    data JSON NOT NULL,
    based_on INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_by VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE framework_versions (
    year INTEGER NOT NULL,
    version INTEGER NOT NULL,
    data JSON NOT NULL,
    changed_by VARCHAR NOT NULL,
    changed_at TIMESTAMP NOT NULL,
    reason VARCHAR,
    summary VARCHAR,
    PRIMARY KEY (year, version)
);
