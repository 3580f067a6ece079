-- Failed password logins are counted per e-mail address typed (an account or not) and per
-- source address, and once more for the address from anywhere (source '*'), so one source
-- cannot lock the owner out and an unknown address behaves like a known one. The e-mail is
-- kept as its SHA-256, never as typed (people type passwords into the wrong field).
-- The counts and locks that lived on the account move here.

CREATE TABLE login_throttle (
    email_key VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    locked_until TIMESTAMP,
    last_attempt TIMESTAMP NOT NULL,
    PRIMARY KEY (email_key, source)
);

INSERT INTO login_throttle
SELECT sha256(email), '*', failed_logins, locked_until, current_timestamp
FROM users WHERE failed_logins > 0 OR locked_until IS NOT NULL;

ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;
