"""Drafts of long texts: kept per person and field, only for their author, never too long."""

from __future__ import annotations

import pytest

from scoring.core import auth, drafts
from scoring.core.errors import Refused


def test_a_draft_is_kept_replaced_and_cleared_for_its_author_only(demo_store):
    erik = auth.user_by_email(demo_store, "erik.lind@demo.stockholm.se")
    other = auth.user_by_email(demo_store, "kvalitetsenheten@demo.stockholm.se")
    field = "bedomning:1:f7_text"
    assert drafts.draft_for(demo_store, erik, field) is None
    drafts.save_draft(demo_store, erik, field, "Första", "Sparat")
    drafts.save_draft(demo_store, erik, field, "Första meningen, längre", "Sparat")
    kept = drafts.draft_for(demo_store, erik, field)
    assert (kept.text, kept.based_on) == ("Första meningen, längre", "Sparat")
    assert drafts.draft_for(demo_store, other, field) is None  # another person's draft is never theirs
    drafts.clear_draft(demo_store, erik, field)
    assert drafts.draft_for(demo_store, erik, field) is None


def test_a_draft_does_not_empty_the_read_cache(demo_store):
    erik = auth.user_by_email(demo_store, "erik.lind@demo.stockholm.se")
    calls = []
    demo_store.cached("probe", lambda: calls.append(1))
    drafts.save_draft(demo_store, erik, "bedomning:1:note_1", "text", "")
    demo_store.cached("probe", lambda: calls.append(1))
    assert calls == [1]  # typing in one field does not make every screen read the database again


@pytest.mark.parametrize(("field", "text", "words"), [
    ("bedomning:1:note_1", "x" * (drafts.MAX_DRAFT_CHARS + 1), "för lång"),
    ("'; DROP TABLE drafts; --", "text", "ogiltigt"),
    ("", "text", "ogiltigt"),
])
def test_bad_drafts_are_refused_in_swedish(demo_store, field, text, words):
    erik = auth.user_by_email(demo_store, "erik.lind@demo.stockholm.se")
    with pytest.raises(Refused, match=words):
        drafts.save_draft(demo_store, erik, field, text, "")
    assert demo_store.fetchone("SELECT count(*) FROM drafts")[0] == 0
