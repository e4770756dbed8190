"""What an import reports: its refusal (InterchangeError, every problem with its place) and its result."""

from dataclasses import dataclass, field




class InterchangeError(Exception):
    """The document cannot be imported; ``problems`` lists every reason, each naming its place."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# Export



@dataclass
class ImportResult:
    """What an import did, counted in tables (project tables and department targets together).

    ``unchanged`` tables matched their current export exactly and were not written at all, so their
    ``updated_at`` and their indicator rows stay as they were. ``indicators`` counts the rows of the
    created and updated tables; ``indicators_created/updated/deleted`` say what happened to them."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    indicators: int = 0
    indicators_created: int = 0
    indicators_updated: int = 0
    indicators_deleted: int = 0
    tables: list = field(default_factory=list)
    targets: list = field(default_factory=list)
    # {uid: (model, stored document, incoming document)} of each stored table or target the import
    # changes, both as the interchange export writes them: what an import preview lists as old → new.
    compared: dict = field(default_factory=dict)
