"""A workflow whose input and result are a note (its module holds nothing Temporal's sandbox cannot re-import)."""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import workflow


class Note(BaseModel):
    text: str


@workflow.defn(name="EchoNote")
class EchoNote:
    @workflow.run
    async def run(self, note: Note) -> Note:
        return Note(text=note.text.upper())
