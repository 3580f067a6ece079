"""The office's setting for pictures: how much running text makes a picture's text a passage.

The instructions send back contributions whose pictures hold text passages, but do not
say how long a passage is; the office decides, and may change it during the intake.
"""

from __future__ import annotations

from scoring.core import access
from scoring.core.auth import User
from scoring.core.errors import Refused
from scoring.core.store import Store, set_setting
from scoring.intake.document import PICTURE_PASSAGE_CHARS

KEY = "picture_passage_chars"


def passage_chars(store: Store) -> int:
    return int(store.setting(KEY, str(PICTURE_PASSAGE_CHARS)))


def set_passage_chars(store: Store, user: User, chars: int) -> None:
    access.require(store, user, "settings.change")
    if not 20 <= chars <= 2000:
        raise Refused("Ange mellan 20 och 2 000 tecken löpande text för att en bild ska räknas som textstycke.")
    with store.write(user.email) as uow:
        set_setting(uow, KEY, str(chars))
