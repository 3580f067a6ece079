"""The login throttle: attempts reserved in one write before the password is checked, locks
per source address and from anywhere, and an unknown e-mail that behaves like a known one.
(The same against the running server, with parallel logins in Chromium: test_security_server.)"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest

from scoring.core import auth
from scoring.core.store import utcnow

PASSWORD = "rätt-lösenord-1"
EMAIL = "examinator@stad.se"


@pytest.fixture
def user(empty_store, monkeypatch):
    monkeypatch.setenv("WORKBENCH_MAX_FAILED_LOGINS", "3")
    monkeypatch.setenv("WORKBENCH_MAX_FAILED_LOGINS_ANY_SOURCE", "6")
    monkeypatch.setenv("WORKBENCH_LOCKOUT_MINUTES", "15")
    with empty_store.write("tester") as uow:
        auth.add_user(uow, email=EMAIL, name="Eva Examinator", role="examinator", password=PASSWORD)
    return auth.user_by_email(empty_store, EMAIL)


class Counted:
    """Counts the password hashes checked and the writes made, and can hold a check back."""

    def __init__(self, store, monkeypatch) -> None:
        self.checks = 0
        self.writes = 0
        self.hold: dict[str, threading.Event] = {}
        self.reached: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        verify, write = auth._verify, store.write

        def counted_verify(password_hash, password):
            with self._lock:
                self.checks += 1
            if password in self.hold:
                self.reached[password].set()
                self.hold[password].wait(10)
            return verify(password_hash, password)

        def counted_write(actor):
            with self._lock:
                self.writes += 1
            return write(actor)

        monkeypatch.setattr(auth, "_verify", counted_verify)
        monkeypatch.setattr(store, "write", counted_write)

    def hold_back(self, password: str) -> tuple[threading.Event, threading.Event]:
        self.hold[password], self.reached[password] = threading.Event(), threading.Event()
        return self.reached[password], self.hold[password]


def _answers(store, email: str, attempts: int, source: str = "10.0.0.1") -> list[str]:
    answers = []
    for _ in range(attempts):
        with pytest.raises(auth.AuthError) as refused:
            auth.authenticate(store, email, "fel-lösenord", source=source)
        answers.append(str(refused.value))
    return answers


def test_an_unknown_email_gets_the_same_answers_work_and_lock_as_a_known_one(empty_store, user, monkeypatch):
    counted = Counted(empty_store, monkeypatch)
    known = _answers(empty_store, EMAIL, 4)
    known_work = (counted.checks, counted.writes)
    counted.checks = counted.writes = 0
    unknown = _answers(empty_store, "ingen.alls@stad.se", 4)
    assert unknown == known  # wrong, wrong, locked now, locked
    assert known[0] == "Fel e-postadress eller lösenord." and "spärrad i 15 minuter" in known[2]
    assert "Försök igen om" in known[3]
    # The same work: one hash checked per attempt that is not refused at once, the same writes.
    assert (counted.checks, counted.writes) == known_work == (3, 3 * 2 + 1)
    rows = empty_store.fetchall("SELECT source, failures, locked_until IS NOT NULL FROM login_throttle"
                                " ORDER BY email_key = ?, source", [auth.email_key(EMAIL)])
    assert [r[1:] for r in rows[:2]] == [r[1:] for r in rows[2:]]
    # The typed address is not kept anywhere, only its hash.
    everything = " ".join(str(v) for row in empty_store.fetchall("SELECT * FROM audit_log") for v in row)
    everything += " ".join(str(v) for row in empty_store.fetchall("SELECT * FROM login_throttle") for v in row)
    assert "ingen.alls" not in everything and auth.UNKNOWN_ACTOR in everything


def test_one_source_cannot_lock_the_owner_out_but_many_together_can(empty_store, user):
    _answers(empty_store, EMAIL, 3, source="10.6.6.6")
    with pytest.raises(auth.LoginLocked):
        auth.authenticate(empty_store, EMAIL, PASSWORD, source="10.6.6.6")
    # The owner, from their own desk, is not held back by someone else's typing.
    assert auth.authenticate(empty_store, EMAIL, PASSWORD, source="10.1.1.1") == user
    # Failures from several sources add up for the address; at that limit every source waits.
    _answers(empty_store, EMAIL, 2, source="10.6.6.7")
    _answers(empty_store, EMAIL, 2, source="10.6.6.8")
    answers = _answers(empty_store, EMAIL, 2, source="10.6.6.9")
    assert "spärrad i 15 minuter" in answers[1]
    with pytest.raises(auth.LoginLocked):
        auth.authenticate(empty_store, EMAIL, PASSWORD, source="10.1.1.1")
    assert auth.list_users(empty_store)[0]["locked_until"] is not None
    # A login through the city's OIDC does not pass the password lock: the router looks the
    # account up and opens a session for it.
    assert auth.session_user(empty_store, auth.create_session(empty_store, auth.user_by_email(empty_store, EMAIL))) == user


def test_failures_are_forgotten_after_a_quiet_while(empty_store, user):
    start = utcnow()
    for _ in range(2):
        with pytest.raises(auth.AuthError, match="Fel e-postadress"):
            auth.authenticate(empty_store, EMAIL, "fel", now=start)
    with pytest.raises(auth.AuthError, match="Fel e-postadress"):
        auth.authenticate(empty_store, EMAIL, "fel", now=start + dt.timedelta(minutes=16))
    assert empty_store.fetchone("SELECT failures FROM login_throttle WHERE source = 'lokal'")[0] == 1


def test_parallel_wrong_passwords_check_no_more_than_the_limit(empty_store, user, monkeypatch):
    counted = Counted(empty_store, monkeypatch)
    start = threading.Barrier(20)
    answers: list[BaseException] = []

    def attempt() -> None:
        start.wait()
        try:
            auth.authenticate(empty_store, EMAIL, "fel-lösenord")
        except auth.AuthError as exc:
            answers.append(exc)

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counted.checks == 3 and len(answers) == 20
    assert sum(isinstance(a, auth.LoginLocked) for a in answers) == 17
    with pytest.raises(auth.LoginLocked):
        auth.authenticate(empty_store, EMAIL, PASSWORD)


def test_a_right_password_checked_while_others_lock_the_account_never_lifts_their_lock(empty_store, user, monkeypatch):
    counted = Counted(empty_store, monkeypatch)
    reached, release = counted.hold_back(PASSWORD)
    logged_in = []
    slow = threading.Thread(target=lambda: logged_in.append(auth.authenticate(empty_store, EMAIL, PASSWORD)))
    slow.start()
    assert reached.wait(10)  # its attempt is reserved and its password is being checked
    answers = _answers(empty_store, EMAIL, 3, source="lokal")
    assert answers[1].startswith("För många") and answers[2].startswith("Inloggning med lösenord är tillfälligt")
    release.set()
    slow.join()
    assert logged_in == [user]  # reserved before the lock: its check was one of the three allowed
    with pytest.raises(auth.LoginLocked):
        auth.authenticate(empty_store, EMAIL, PASSWORD)


def test_a_lock_counts_from_when_it_is_written(empty_store, user):
    for _ in range(2):
        with pytest.raises(auth.AuthError):
            auth.authenticate(empty_store, EMAIL, "fel")
    busy = threading.Event()

    def hold_the_store() -> None:
        with empty_store.write("annan"):
            busy.set()
            time.sleep(1.0)

    other = threading.Thread(target=hold_the_store)
    other.start()
    busy.wait(5)
    asked = utcnow()
    with pytest.raises(auth.AuthError, match="spärrad i 15 minuter"):
        auth.authenticate(empty_store, EMAIL, "fel")
    other.join()
    until = empty_store.fetchone("SELECT locked_until FROM login_throttle WHERE source = 'lokal'")[0]
    assert until - asked >= dt.timedelta(minutes=15, seconds=0.9)
