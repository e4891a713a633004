"""A generated province: communes, village cells, border posts, members, households (all ids start SIM-)."""

from __future__ import annotations

import random
from datetime import date

from directives.model import DirectiveFile, ScopeSpec, TermSpec
from directory.model import (
    Cell,
    CellCategory,
    Commune,
    DirectoryFile,
    Household,
    HouseholdTag,
    Member,
    MemberKind,
    Post,
)
from domain.policy import DirectivePolicy
from domain.vocabulary import AssignmentKind

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khánh", "Long", "Minh", "Nam", "Phong", "Quang", "Sơn", "Tâm"]
CATEGORY_ODDS = (
    (CellCategory.BORDERING, 0.4),
    (CellCategory.COMPLEX_SECURITY, 0.15),
    (CellCategory.WEAK, 0.15),
    (CellCategory.ZERO_MEMBER_VILLAGE, 0.1),
)
TAG_ODDS = (
    (HouseholdTag.POOR, 0.3),
    (HouseholdTag.BORDER_FARMLAND, 0.3),
    (HouseholdTag.POLICY_OR_HARDSHIP, 0.15),
    (HouseholdTag.CROSS_BORDER_KIN, 0.05),
)
RANKS = ["Thiếu úy", "Trung úy", "Thượng úy", "Đại úy", "Thiếu tá", "Trung tá"]


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} Văn {rng.choice(GIVEN)}"


def generate_directory(communes: int, cells: int, members: int, rng: random.Random) -> DirectoryFile:
    """A province of ``communes`` communes, ``cells`` village cells and ``members`` post members."""
    commune_list = [Commune(id=f"SIM-X{i:03d}", name=f"Xã mô phỏng {i}") for i in range(1, communes + 1)]
    cell_list = []
    for i in range(1, cells + 1):
        categories = [c for c, p in CATEGORY_ODDS if rng.random() < p]
        commune = commune_list[(i - 1) % communes]
        cell_list.append(
            Cell(
                id=f"SIM-C{i:04d}",
                name=f"Chi bộ ấp mô phỏng {i}",
                commune=commune.id,
                village=f"Ấp {i}",
                categories=tuple(categories),
                meeting_day=rng.randint(1, 28),
            )
        )
    post_count = max(1, communes // 3)
    post_list = [
        Post(
            id=f"SIM-P{p:02d}",
            name=f"Đồn Biên phòng mô phỏng {p}",
            communes=tuple(c.id for j, c in enumerate(commune_list) if j % post_count == p - 1),
        )
        for p in range(1, post_count + 1)
    ]
    member_list = [
        Member(
            id=f"SIM-DV{i:04d}",
            name=_name(rng),
            post=post_list[(i - 1) % post_count].id,
            rank=rng.choice(RANKS),
            kind=MemberKind.OFFICER if rng.random() < 0.7 else MemberKind.PROFESSIONAL_SOLDIER,
            on_local_committee=rng.random() < 0.1,
        )
        for i in range(1, members + 1)
    ]
    household_list = []
    for cell in cell_list:
        for h in range(1, 4):
            tags = [t for t, p in TAG_ODDS if rng.random() < p]
            household_list.append(Household(id=f"{cell.id}-H{h}", cell=cell.id, head=_name(rng), tags=tuple(tags)))
    return DirectoryFile(
        province="Tỉnh mô phỏng",
        communes=tuple(commune_list),
        cells=tuple(cell_list),
        posts=tuple(post_list),
        members=tuple(member_list),
        households=tuple(household_list),
    )


def simulated_directive(code: str, today: date, months: int, communes: list[str]) -> DirectiveFile:
    return DirectiveFile(
        code=code,
        title="Chỉ thị mô phỏng: đảng viên đồn biên phòng tham gia sinh hoạt chi bộ thôn, ấp",
        issuing_body="Đảng ủy BĐBP tỉnh (mô phỏng)",
        issued_on=today,
        kind=AssignmentKind.CELL_PARTICIPATION,
        scope=ScopeSpec(communes=communes, posts="all"),
        term=TermSpec(start=today, months=months),
        policy=DirectivePolicy(),
    )
