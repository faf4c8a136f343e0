"""What every publisher returns: one output file of the kit, as bytes with its metadata."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass
class OutputFile:
    path: str                    # relative to the kit folder, "/" separated
    kind: str                    # manual | procedure | rule | form | checklist | application | dossier | matrix
                                 # | questionnaire
    title: str
    data: bytes
    number: str = ""
    indicators: list[str] = field(default_factory=list)
    dossier_item: int | None = None
    fill_ins: dict[str, int] = field(default_factory=dict)      # fact key → placeholders still in the file
    scan: dict | None = None     # what kitgen check would find in it (kitgen.kit.check.scan_file), kit.json

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()
