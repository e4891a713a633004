"""The directory file (YAML or JSON): what phancong must know of the province before any directive."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from domain.bounds import MAX_SCOPE_ENTRIES, EntryId, Line, Name, Url
from domain.errors import PhancongError

# Entries of one kind in one file: a province has hundreds of cells and thousands of households.
MAX_ENTRIES = 10 * MAX_SCOPE_ENTRIES


class DirectoryFileError(PhancongError):
    code = "invalid_directory"


class CellCategory(StrEnum):
    BORDERING = "bordering"  # giáp biên
    COMPLEX_SECURITY = "complex_security"  # phức tạp về an ninh trật tự
    WEAK = "weak"  # còn hạn chế
    ZERO_MEMBER_VILLAGE = "zero_member_village"  # thôn trắng đảng viên


class HouseholdTag(StrEnum):
    BORDER_FARMLAND = "border_farmland"
    POLICY_OR_HARDSHIP = "policy_or_hardship"
    COMPLEX_POLITICAL_RELATIONS = "complex_political_relations"
    CROSS_BORDER_KIN = "cross_border_kin"
    RELIGION = "religion"
    POOR = "poor"
    REVOLUTIONARY_MERIT = "revolutionary_merit"


# Sensitive personal data (DOMAIN.md): shown only to hq, auditors and the sponsoring member's post.
SENSITIVE_TAGS = frozenset(
    {HouseholdTag.COMPLEX_POLITICAL_RELATIONS, HouseholdTag.CROSS_BORDER_KIN, HouseholdTag.RELIGION}
)


class MemberKind(StrEnum):
    OFFICER = "officer"  # sĩ quan
    PROFESSIONAL_SOLDIER = "professional_soldier"  # quân nhân chuyên nghiệp


class Language(StrEnum):
    VI = "vi"
    EN = "en"


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Contact(_Entry):
    """Where a person's or an office's reminders go: a webhook if given, else e-mail, else the log."""

    email: EmailStr | None = None
    phone: Line | None = None
    webhook: Url | None = None
    language: Language = Language.VI


class Commune(_Entry):
    id: EntryId
    name: Name
    contact: Contact = Field(default_factory=Contact)


class Cell(_Entry):
    """A village (thôn, ấp, bản) and its party cell."""

    id: EntryId
    name: Name
    commune: EntryId
    village: Line = ""
    categories: tuple[CellCategory, ...] = Field((), max_length=len(CellCategory))
    meeting_day: int = Field(ge=1, le=31)
    contact: Contact = Field(default_factory=Contact)


class Post(_Entry):
    id: EntryId
    name: Name
    communes: tuple[EntryId, ...] = Field(min_length=1, max_length=MAX_SCOPE_ENTRIES)
    contact: Contact = Field(default_factory=Contact)


class Member(_Entry):
    id: EntryId
    name: Name
    post: EntryId
    rank: Line = ""
    kind: MemberKind = MemberKind.OFFICER
    on_local_committee: bool = False
    contact: Contact = Field(default_factory=Contact)


class Household(_Entry):
    id: EntryId
    cell: EntryId
    head: Line = ""
    tags: tuple[HouseholdTag, ...] = Field((), max_length=len(HouseholdTag))
    denomination: Line | None = None


class HouseholdRecord(Household):
    """A household as the directory holds it: ``erased`` once HQ has destroyed its data key (its head and
    denomination then read empty, its sensitive tags none)."""

    erased: bool = False


class HqRecipient(_Entry):
    """Someone at provincial headquarters who receives escalations and HQ's digest."""

    id: EntryId
    name: Name
    contact: Contact


class DirectoryFile(_Entry):
    province: Name
    hq: tuple[HqRecipient, ...] = Field((), max_length=MAX_ENTRIES)
    # The auditors' offices, reached (by the same kinds of contact as HQ's) with the log's daily seal: a witness
    # of the record kept outside the database.
    auditors: tuple[HqRecipient, ...] = Field((), max_length=MAX_ENTRIES)
    communes: tuple[Commune, ...] = Field((), max_length=MAX_ENTRIES)
    cells: tuple[Cell, ...] = Field((), max_length=MAX_ENTRIES)
    posts: tuple[Post, ...] = Field((), max_length=MAX_ENTRIES)
    members: tuple[Member, ...] = Field((), max_length=MAX_ENTRIES)
    households: tuple[Household, ...] = Field((), max_length=MAX_ENTRIES)

    @model_validator(mode="after")
    def _references_resolve(self) -> Self:
        problems: list[str] = []

        def unique(section: str, entries: tuple[_Entry, ...]) -> set[str]:
            seen: set[str] = set()
            for i, entry in enumerate(entries):
                ident = getattr(entry, "id")  # noqa: B009 - every entry has one
                if ident in seen:
                    problems.append(f"{section}[{i}] ({ident}).id: duplicate id")
                seen.add(ident)
            return seen

        communes = unique("communes", self.communes)
        cells = unique("cells", self.cells)
        posts = unique("posts", self.posts)
        unique("members", self.members)
        unique("households", self.households)
        unique("hq", self.hq)
        unique("auditors", self.auditors)
        for i, cell in enumerate(self.cells):
            if cell.commune not in communes:
                problems.append(f"cells[{i}] ({cell.id}).commune: unknown commune {cell.commune!r}")
        for i, post in enumerate(self.posts):
            for commune in post.communes:
                if commune not in communes:
                    problems.append(f"posts[{i}] ({post.id}).communes: unknown commune {commune!r}")
        for i, member in enumerate(self.members):
            if member.post not in posts:
                problems.append(f"members[{i}] ({member.id}).post: unknown post {member.post!r}")
        for i, household in enumerate(self.households):
            if household.cell not in cells:
                problems.append(f"households[{i}] ({household.id}).cell: unknown cell {household.cell!r}")
            if HouseholdTag.RELIGION in household.tags and not household.denomination:
                problems.append(f"households[{i}] ({household.id}).denomination: needed with the religion tag")
        if problems:
            raise ValueError("; ".join(problems))
        return self
