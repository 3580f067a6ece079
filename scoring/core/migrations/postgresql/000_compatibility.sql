-- PostgreSQL only, before the first migration: the few DuckDB types and functions the
-- migrations and queries use, so that both databases run the same SQL, written once.
CREATE DOMAIN blob AS bytea;

-- DuckDB's sha256(text) is the hex digest of the text's UTF-8 bytes.
CREATE FUNCTION sha256(value varchar) RETURNS varchar LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT encode(sha256(convert_to(value, 'UTF8')), 'hex') $$;

CREATE FUNCTION contains(haystack text, needle text) RETURNS boolean LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT strpos(haystack, needle) > 0 $$;

-- DuckDB's JSON path '$.a.b' on a JSON value, as text and as JSON.
CREATE FUNCTION json_extract_string(value json, path text) RETURNS varchar LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT value::jsonb #>> string_to_array(substr(path, 3), '.') $$;
CREATE FUNCTION json_extract(value json, path text) RETURNS jsonb LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT value::jsonb #> string_to_array(substr(path, 3), '.') $$;

-- DuckDB's list(x ORDER BY y) aggregate.
CREATE AGGREGATE list(anycompatible) (SFUNC = array_append, STYPE = anycompatiblearray, INITCOND = '{}');

-- Counts every committed write, so that each server process knows when its read cache is stale.
CREATE TABLE store_generation (id INTEGER PRIMARY KEY CHECK (id = 1), n BIGINT NOT NULL);
INSERT INTO store_generation VALUES (1, 0);
