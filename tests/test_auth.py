"""Accounts, passwords, lockout, sessions and the signed cookie."""

from __future__ import annotations

import datetime as dt

import pytest

from scoring.core import auth
from scoring.core.store import utcnow

PASSWORD = "rätt-lösenord-1"


@pytest.fixture
def user(empty_store):
    with empty_store.write("tester") as uow:
        auth.add_user(uow, email="Examinator@Stad.se", name="Eva Examinator", role="examinator", password=PASSWORD)
    return auth.user_by_email(empty_store, "examinator@stad.se")


def test_password_is_stored_as_argon2id(empty_store, user):
    stored = empty_store.fetchone("SELECT password_hash FROM users WHERE id = ?", [user.id])[0]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_right_password_logs_in_case_insensitive_email(empty_store, user):
    assert auth.authenticate(empty_store, " EXAMINATOR@stad.se ", PASSWORD) == user
    assert user.role == "examinator" and user.role_label == "Examinator"


def test_wrong_password_and_unknown_email_give_the_same_message(empty_store, user):
    with pytest.raises(auth.AuthError) as wrong:
        auth.authenticate(empty_store, "examinator@stad.se", "fel-lösenord")
    with pytest.raises(auth.AuthError) as unknown:
        auth.authenticate(empty_store, "ingen@stad.se", PASSWORD)
    assert str(wrong.value) == str(unknown.value) == "Fel e-postadress eller lösenord."


def test_lockout_after_repeated_failures_and_release_after_the_wait(empty_store, user, monkeypatch):
    monkeypatch.setenv("WORKBENCH_MAX_FAILED_LOGINS", "3")
    monkeypatch.setenv("WORKBENCH_LOCKOUT_MINUTES", "15")
    now = utcnow()
    for _ in range(2):
        with pytest.raises(auth.AuthError, match="Fel e-postadress"):
            auth.authenticate(empty_store, user.email, "fel", now=now)
    with pytest.raises(auth.AuthError, match="spärrad i 15 minuter"):
        auth.authenticate(empty_store, user.email, "fel", now=now)
    # Even the right password is refused while the lock holds, without checking it.
    with pytest.raises(auth.LoginLocked, match="Försök igen om 11 minuter"):
        auth.authenticate(empty_store, user.email, PASSWORD, now=now + dt.timedelta(minutes=5))
    assert auth.authenticate(empty_store, user.email, PASSWORD, now=now + dt.timedelta(minutes=16)) == user
    audit = [r[0] for r in empty_store.fetchall("SELECT action FROM audit_log")]
    assert audit.count("misslyckad inloggning") == 3 and "spärra inloggning" in audit


def test_a_successful_login_resets_the_failure_count(empty_store, user, monkeypatch):
    monkeypatch.setenv("WORKBENCH_MAX_FAILED_LOGINS", "3")
    for _ in range(2):
        with pytest.raises(auth.AuthError):
            auth.authenticate(empty_store, user.email, "fel")
    auth.authenticate(empty_store, user.email, PASSWORD)
    for _ in range(2):
        with pytest.raises(auth.AuthError, match="Fel e-postadress"):
            auth.authenticate(empty_store, user.email, "fel")


def test_unlock_by_admin(empty_store, user, monkeypatch):
    monkeypatch.setenv("WORKBENCH_MAX_FAILED_LOGINS", "1")
    with pytest.raises(auth.AuthError, match="spärrad"):
        auth.authenticate(empty_store, user.email, "fel")
    assert [u["locked_until"] is not None for u in auth.list_users(empty_store)] == [True]
    with empty_store.write("admin") as uow:
        auth.unlock(uow, user.id)
    assert auth.authenticate(empty_store, user.email, PASSWORD) == user
    assert auth.list_users(empty_store)[0]["locked_until"] is None


def test_inactive_and_oidc_only_accounts_cannot_use_a_password(empty_store, user):
    with empty_store.write("tester") as uow:
        auth.add_user(uow, email="oidc@stad.se", name="O", role="beredningsgrupp", password=None)
        uow.execute("UPDATE users SET active = FALSE WHERE id = ?", [user.id])
    for email in ("oidc@stad.se", user.email):
        with pytest.raises(auth.AuthError, match="Fel e-postadress"):
            auth.authenticate(empty_store, email, PASSWORD)


@pytest.mark.parametrize(
    ("email", "name", "role", "password", "message"),
    [
        ("inte-en-adress", "N", "admin", PASSWORD, "inte giltig"),
        ("ny@stad.se", " ", "admin", PASSWORD, "Namnet"),
        ("ny@stad.se", "N", "kung", PASSWORD, "Okänd roll"),
        ("ny@stad.se", "N", "admin", "kort", "minst 10 tecken"),
        ("EXAMINATOR@stad.se", "N", "admin", PASSWORD, "finns redan"),
    ],
)
def test_bad_accounts_are_refused_with_a_reason(empty_store, user, email, name, role, password, message):
    with pytest.raises(auth.AuthError, match=message), empty_store.write("admin") as uow:
        auth.add_user(uow, email=email, name=name, role=role, password=password)
    assert empty_store.fetchone("SELECT count(*) FROM users")[0] == 1


def test_session_follows_the_user_and_ends_when_idle(empty_store, user, monkeypatch):
    monkeypatch.setenv("WORKBENCH_IDLE_MINUTES", "30")
    start = utcnow()
    token = auth.create_session(empty_store, user, now=start)
    assert auth.session_user(empty_store, token, now=start + dt.timedelta(minutes=20)) == user
    # Activity at minute 20 moved the idle clock: minute 45 is still within 30 idle minutes.
    assert auth.session_user(empty_store, token, now=start + dt.timedelta(minutes=45)) == user
    with pytest.raises(auth.SessionExpired):
        auth.session_user(empty_store, token, now=start + dt.timedelta(minutes=80))
    assert auth.session_user(empty_store, token, now=start + dt.timedelta(minutes=81)) is None


def test_logout_ends_the_session_and_unknown_tokens_are_nobody(empty_store, user):
    token = auth.create_session(empty_store, user)
    auth.end_session(empty_store, token)
    assert auth.session_user(empty_store, token) is None
    assert auth.session_user(empty_store, "påhittad") is None
    stored = [r[0] for r in empty_store.fetchall("SELECT token_hash FROM sessions")]
    assert token not in stored


def test_cookie_signature_rejects_tampering(empty_store, user):
    token = auth.create_session(empty_store, user)
    signed = auth.sign(empty_store, token)
    assert auth.unsign(empty_store, signed) == token
    assert auth.unsign(empty_store, "x" + signed) is None
    assert auth.unsign(empty_store, token + ".0000") is None
    assert auth.unsign(empty_store, None) is None and auth.unsign(empty_store, "utan-punkt") is None


def test_handoff_code_works_once_and_only_in_the_browser_it_was_issued_to():
    code = auth.issue_handoff("token-1", "webbläsare-1")
    # From another browser (another nonce, or none) it is refused, and stays for its own.
    assert auth.redeem_handoff(code, "webbläsare-2") is None and auth.redeem_handoff(code, None) is None
    assert auth.redeem_handoff(code, "webbläsare-1") == "token-1"
    assert auth.redeem_handoff(code, "webbläsare-1") is None
    assert auth.redeem_handoff("påhittad", "webbläsare-1") is None
