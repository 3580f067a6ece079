"""The refusals the core answers with. Every message is Swedish and says what to do."""

from __future__ import annotations


class Refused(ValueError):
    """A refused action for a reason of the award's rules or of the input, never of access."""


class StaleWrite(Refused):
    """A save made from a version that another save has since changed, in the same part.

    ``changes`` lists what was saved in between ('HH:MM:SS who: what'); ``current_version``
    is the version to retry from.
    """

    def __init__(self, message: str, current_version: int, changes: list[str]) -> None:
        super().__init__(message)
        self.current_version = current_version
        self.changes = changes
