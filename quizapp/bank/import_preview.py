"""What an import would do, shown before it is done: every question as it was read, with the
reason it can't be imported, and the counts; nothing is kept (the caller rolls back)."""

from __future__ import annotations

from dataclasses import dataclass, field

from quizapp.bank.imports import BankImportResult, QuestionDraft, Skipped, import_drafts
from quizapp.bank.types import LETTERS, find_type

#: The questions a preview lists one by one; the counts cover the whole file.
SHOWN = 300


@dataclass
class PreviewRow:
    location: str
    type_label: str
    stem: str
    options: list[str]  # "A. 警告"
    answer: str
    explanation: str
    problem: str  # empty: this question would be imported


@dataclass
class ImportPreview:
    result: BankImportResult
    rows: list[PreviewRow] = field(default_factory=list)
    total: int = 0

    @property
    def importable(self) -> int:
        return self.result.created + self.result.updated + self.result.unchanged


def preview_drafts(
    owner_branch_id: int, drafts: list[QuestionDraft], skipped: list[Skipped]
) -> ImportPreview:
    """Run the import's checks on ``drafts`` and describe each question (flushes: roll back)."""
    result = import_drafts(owner_branch_id, drafts, skipped=skipped, only_valid=True)
    problems = {p.location: p.message for p in result.rejected}
    rows = [_row(draft, problems.get(draft.location, "")) for draft in drafts[:SHOWN]]
    return ImportPreview(result, rows, len(drafts))


def _row(draft: QuestionDraft, problem: str) -> PreviewRow:
    data = draft.data
    qtype = find_type(data.type) if data is not None else None
    if data is None or qtype is None:
        return PreviewRow(draft.location, "—", "", [], "", "", problem)
    answer = ""
    if data.answer is not None:
        try:
            answer = qtype.display_answer(data.answer, data.options)
        except (IndexError, TypeError, ValueError, AttributeError):
            answer = ""  # an answer the checks refused: the problem says why
    return PreviewRow(
        draft.location,
        qtype.label,
        data.stem,
        [f"{LETTERS[i]}. {text}" for i, text in enumerate(data.options[: len(LETTERS)])],
        answer,
        data.explanation,
        problem,
    )
