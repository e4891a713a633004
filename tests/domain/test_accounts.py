"""The rules of accounts and passwords, in memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain import accounts, passwords
from domain.accounts import AccountState, Status
from domain.actors import Actor, Role
from domain.errors import PhancongError
from domain.event import DomainEvent

pytestmark = pytest.mark.unit
NOW = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)
POST = Actor(role=Role.POST, id="DBP-HAM-LUONG")
HQ = Actor(role=Role.HQ)


def created(*scopes: Actor) -> AccountState:
    events = accounts.create(
        None, "nguyen.van.an", name="Nguyễn Văn An", contact="", scopes=list(scopes), language="vi"
    )
    return accounts.fold([(e, NOW) for e in events]) or pytest.fail("no account")


def then(state: AccountState, events: list[DomainEvent]) -> AccountState:
    for event in events:
        state = accounts.apply(state, event, NOW)
    return state


def refused(code: str, decide: object, *args: object, **kwargs: object) -> None:
    with pytest.raises(PhancongError) as caught:
        decide(*args, **kwargs)  # type: ignore[operator]
    assert caught.value.code == code


def enrolled(state: AccountState, *, second_factor: bool) -> AccountState:
    link = uuid4()
    state = then(state, accounts.issue_enrolment(state, link, NOW, reset=False, valid_for=timedelta(days=7)))
    return then(state, accounts.enrol(state, link, NOW, second_factor=second_factor))


def test_an_account_goes_from_pending_to_active_locked_unlocked_and_disabled() -> None:
    state = created(POST)
    assert state.status == Status.PENDING
    state = enrolled(state, second_factor=False)
    assert (state.status, state.may_sign_in()) == (Status.ACTIVE, True)
    state = then(state, accounts.lock(state, "10 failures"))
    assert state.status == Status.LOCKED
    assert accounts.lock(state, "again") == []  # locking a locked account records nothing
    state = then(state, accounts.unlock(state))
    refused("wrong_state", accounts.unlock, state)
    state = then(state, accounts.disable(state, "Chuyển công tác"))
    assert (state.status, state.may_sign_in()) == (Status.DISABLED, False)
    refused("already_done", accounts.disable, state, "again")
    refused("wrong_state", accounts.grant, state, HQ)


def test_hq_and_auditors_enrol_a_second_factor_and_granting_hq_needs_one() -> None:
    hq = created(HQ)
    link = uuid4()
    hq = then(hq, accounts.issue_enrolment(hq, link, NOW, reset=False, valid_for=timedelta(days=7)))
    refused("second_factor_required", accounts.enrol, hq, link, NOW, second_factor=False)
    post = enrolled(created(POST), second_factor=False)
    refused("wrong_state", accounts.grant, post, HQ)
    assert accounts.grant(enrolled(created(POST), second_factor=True), HQ)


def test_an_enrolment_link_works_once_until_it_expires_and_a_reset_voids_the_password() -> None:
    state = created(POST)
    link = uuid4()
    state = then(state, accounts.issue_enrolment(state, link, NOW, reset=False, valid_for=timedelta(days=7)))
    refused("enrolment_closed", accounts.enrol, state, link, NOW + timedelta(days=8), second_factor=False)
    refused("enrolment_closed", accounts.enrol, state, uuid4(), NOW, second_factor=False)
    state = then(state, accounts.enrol(state, link, NOW, second_factor=False))
    refused("enrolment_closed", accounts.enrol, state, link, NOW, second_factor=False)
    refused("already_done", accounts.issue_enrolment, state, uuid4(), NOW, reset=False, valid_for=timedelta(days=1))
    state = then(state, accounts.issue_enrolment(state, uuid4(), NOW, reset=True, valid_for=timedelta(days=1)))
    assert (state.enrolled, state.may_sign_in()) == (False, False)


def test_a_token_carries_only_scopes_the_account_holds_and_acts_only_while_it_holds_them() -> None:
    commune = Actor(role=Role.COMMUNE, id="TT-TIEM-TOM")
    state = enrolled(created(POST, commune), second_factor=False)
    refused("invalid_input", accounts.issue_token, state, uuid4(), name="x", scopes=[HQ], now=NOW, days=30)
    refused("invalid_input", accounts.issue_token, state, uuid4(), name="x", scopes=[POST], now=NOW, days=400)
    token = uuid4()
    state = then(state, accounts.issue_token(state, token, name="báo cáo", scopes=[POST], now=NOW, days=30))
    assert accounts.acting_scope(state, state.tokens[token].scopes, None) == POST.by("nguyen.van.an")
    refused("forbidden", accounts.acting_scope, state, state.tokens[token].scopes, "commune:TT-TIEM-TOM")
    refused("scope_required", accounts.acting_scope, state, state.scopes, None)
    state = then(state, accounts.revoke(state, POST))
    refused("forbidden", accounts.acting_scope, state, state.tokens[token].scopes, None)
    state = then(state, accounts.revoke_token(state, token))
    assert not state.tokens[token].live(NOW)
    refused("already_done", accounts.revoke_token, state, token)


def test_logins_and_scopes_are_checked_and_put_in_their_normal_form() -> None:
    assert accounts.login(" Nguyen.Van.An ") == "nguyen.van.an"
    for bad in ("", "a b", "-a", "a-", "nguyễn", "x" * 65):
        refused("invalid_input", accounts.login, bad)
    assert accounts.scope("post:DBP-HAM-LUONG") == POST
    for bad in ("system", "hq:X", "post", "post:A B", "king:X"):
        refused("invalid_input", accounts.scope, bad)
    refused("already_exists", accounts.create, created(POST), "nguyen.van.an", name="x", contact="", scopes=[POST],
            language="vi")  # fmt: skip


def test_the_read_models_copy_of_an_account_is_the_account() -> None:
    state = enrolled(created(POST, HQ), second_factor=True)
    state = then(state, accounts.issue_token(state, uuid4(), name="t", scopes=[], now=NOW, days=1))
    assert accounts.load(accounts.dump(state)) == state


@pytest.mark.parametrize(
    ("password", "second_factor", "refused_because"),
    [
        ("ngắn quá", False, "at least 15"),
        ("mười lăm ký tự!", False, None),
        ("tám ký tự", True, None),
        ("baseball", True, "most common"),
        ("BaseBall", True, "most common"),
        ("zzzzzzzzzzzzzzzzz", False, "repeated"),
        ("x" * 257, False, "at most 256"),
        ("phancong phancong", False, None),
        ("phân công!", True, "phancong"),
        ("nguyen.van.an 2027 !!", False, "login"),
    ],
)
def test_a_password_is_long_enough_not_common_and_not_the_persons_own(
    password: str, second_factor: bool, refused_because: str | None
) -> None:
    found = passwords.problem(
        password, second_factor=second_factor, blocked={"baseball"}, login="nguyen.van.an", context=["Nguyễn Văn An"]
    )
    if refused_because is None:
        assert found is None
    else:
        assert found is not None
        assert refused_because in found


def test_a_password_typed_decomposed_is_the_same_password() -> None:
    import unicodedata  # noqa: PLC0415

    typed = "mật khẩu tiếng Việt dài"
    assert passwords.normal(unicodedata.normalize("NFD", typed)) == passwords.normal(typed)
