"""The vault of households' data keys, on its own: boxes open only for their household and key, say nothing by
their length, survive a master-key rotation, and are gone for good once the key is destroyed."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from app.directory import erase_household
from app.reports import households_by_tag
from directory.households import SEALED, join, split
from directory.memory import MemoryKeyStore
from directory.sealing import BUCKET, Vault
from domain.actors import Actor, Role
from infra.master_keys import ensure_file, from_file, generated
from infra.payload_keys import add_key
from tests.app.memory import memory_services

pytestmark = pytest.mark.unit

PLAIN: dict[str, Any] = {
    "cell": "CB-1",
    "head": "Lê Văn Kha",
    "tags": ["poor", "religion"],
    "denomination": "Phật giáo Hòa Hảo",
}
NOW = datetime(2026, 12, 1, tzinfo=UTC)


async def sealed(vault: Vault, household: str, plain: dict[str, Any]) -> dict[str, Any]:
    clear, secret = split(plain)
    return {**clear, SEALED: (await vault.seal({household: secret}))[household]}


def test_the_clear_part_holds_no_secret_and_joining_gives_the_household_back() -> None:
    clear, secret = split(PLAIN)
    assert clear == {"cell": "CB-1", "tags": ["poor"]}
    assert secret == {"head": "Lê Văn Kha", "denomination": "Phật giáo Hòa Hảo", "tags": ["religion"]}
    assert join(clear, secret) == PLAIN
    assert join(clear, None) == {"cell": "CB-1", "tags": ["poor"], "head": "", "denomination": None, "erased": True}


async def test_a_box_opens_for_its_household_only_and_its_length_tells_nothing() -> None:
    vault = Vault(MemoryKeyStore(), generated())
    stored = await sealed(vault, "HH-1", PLAIN)
    assert "Kha" not in str(stored)
    assert "religion" not in str(stored)
    assert await vault.reveal([("HH-1", stored)]) == [PLAIN]
    await sealed(vault, "HH-2", PLAIN)  # HH-2 has its own key: HH-1's box does not open as HH-2's
    assert await vault.open([("HH-2", stored)]) == [None]

    short = await sealed(vault, "HH-3", {"cell": "CB-1", "head": "A"})
    assert len(base64.b64decode(short[SEALED]["box"])) == len(base64.b64decode(stored[SEALED]["box"]))
    assert (len(base64.b64decode(short[SEALED]["box"])) - 12 - 16) % BUCKET == 0

    box = bytearray(base64.b64decode(stored[SEALED]["box"]))
    box[-1] ^= 1
    tampered = {**stored, SEALED: {**stored[SEALED], "box": base64.b64encode(bytes(box)).decode()}}
    assert await vault.open([("HH-1", tampered)]) == [None]  # logged, and no reader stops


async def test_a_rotated_master_key_rewraps_the_data_keys_and_every_box_still_opens(tmp_path: Path) -> None:
    path = tmp_path / "master.keys"
    keys = MemoryKeyStore()
    stored = await sealed(Vault(keys, ensure_file(path)), "HH-1", PLAIN)
    old = from_file(path).current
    add_key(path)
    rotated = Vault(keys, from_file(path))
    assert await rotated.rewrap() == 1
    assert {r.master_key_id for r in await keys.rows()} == {from_file(path).current} != {old}
    assert await rotated.reveal([("HH-1", stored)]) == [PLAIN]
    assert await rotated.rewrap() == 0


async def test_an_erased_household_stays_erased() -> None:
    vault = Vault(MemoryKeyStore(), generated())
    stored = await sealed(vault, "HH-1", PLAIN)
    await vault.erase("HH-1", NOW)
    assert await vault.open([("HH-1", stored)]) == [None]
    assert await vault.erased(["HH-1", "HH-2"]) == {"HH-1"}
    assert await vault.seal({"HH-1": split(PLAIN)[1]}) == {}  # no new box under an erased household's id


async def test_an_erased_households_sensitive_tags_are_counted_nowhere_after_the_erasure() -> None:
    s, _ = await memory_services(NOW)
    households = ["HH-003", "HH-006"]  # religious; kin across the border (examples/directory.yaml)
    before = await households_by_tag(s, households, s.today, sensitive=True)
    assert (before["religion"], before["cross_border_kin"]) == (1, 1)
    await erase_household(s, Actor(role=Role.HQ), "HH-003", "the family asked")
    after = await households_by_tag(s, households, s.today, sensitive=True)
    assert (after["religion"], after["cross_border_kin"]) == (0, 1)
    assert list(after) == list(before)  # the same keys: an erasure is no marker either
    hidden = await households_by_tag(s, households, s.today, sensitive=False)
    assert list(hidden) == list(await households_by_tag(s, ["HH-001"], s.today, sensitive=False))
