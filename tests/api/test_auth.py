"""Authentication over HTTP: passwords, the second factor, lockout, sessions and tokens refused at once when they
should be, CSRF, and no secret in any log."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from app import accounts
from tests.api.conftest import HQ, Api

pytestmark = pytest.mark.timeout(180)
PASSWORD = "một câu mật khẩu thật dài"


async def kinds(api: Api, account: str) -> list[str]:
    rows = await api.harness.pool.fetch("SELECT kind FROM access_log WHERE account_id = $1 ORDER BY id", account)
    return [r["kind"] for r in rows]


async def sign_in(api: Api, login: str, password: str, code: str | None = None) -> httpx.Response:
    return await api.client().post("/session", json={"login": login, "password": password, "code": code})


async def test_a_wrong_password_or_unknown_login_is_the_same_refusal_and_is_recorded(api: Api) -> None:
    await api.enrol("xa.antuy", "Cán bộ xã", ["commune:XA-AN-THUY"], PASSWORD)

    wrong = await sign_in(api, "xa.antuy", PASSWORD + "!")
    unknown = await sign_in(api, "khong.ai", PASSWORD)

    assert [wrong.status_code, unknown.status_code] == [401, 401]
    assert wrong.json()["code"] == unknown.json()["code"] == "invalid_credentials"
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert wrong.headers["content-type"] == "application/problem+json"
    assert (await sign_in(api, "XA.ANTUY", PASSWORD)).status_code == 200  # a login is case-insensitive
    assert await kinds(api, "xa.antuy") == ["enrolled", "sign_in_failed", "signed_in"]


async def test_failures_slow_sign_in_down_then_lock_the_account_until_hq_unlocks_it(api: Api) -> None:
    hq = await api.person("hq.nguyen", "hq")
    await api.enrol("don.batri", "Đồn Ba Tri", ["post:DBP-BA-TRI"], PASSWORD)
    limit = api.ctx.policy.max_failures

    for attempt in range(1, limit + 1):
        refused = await sign_in(api, "don.batri", f"sai {attempt} lần rồi đấy nhé")
        assert refused.status_code == 401, refused.text
        if attempt >= api.ctx.policy.slow_after and attempt < limit:
            too_soon = await sign_in(api, "don.batri", PASSWORD)
            assert too_soon.status_code == 429
            assert int(too_soon.headers["Retry-After"]) >= 1
            api.clock.move(timedelta(seconds=int(too_soon.headers["Retry-After"])))

    locked = await sign_in(api, "don.batri", PASSWORD)
    if locked.status_code == 429:  # the last failure slowed sign-in down too
        api.clock.move(timedelta(seconds=int(locked.headers["Retry-After"])))
        locked = await sign_in(api, "don.batri", PASSWORD)
    assert (locked.status_code, locked.json()["code"]) == (403, "account_locked")
    lock = await api.harness.pool.fetchrow(
        "SELECT actor_role, payload FROM events WHERE stream_id = 'account-don.batri' AND event_type = 'AccountLocked'"
    )
    assert lock is not None
    assert lock["actor_role"] == "system"

    unlocked = await hq.post("/accounts/don.batri/unlock", key=None)
    assert unlocked.status_code == 200, unlocked.text
    assert (await sign_in(api, "don.batri", PASSWORD)).status_code == 200
    assert "account_locked" in await kinds(api, "don.batri")
    assert "account_unlocked" in await kinds(api, "don.batri")


async def test_hq_and_auditors_need_their_second_factor_and_a_code_works_once(api: Api) -> None:
    made = await accounts.create(api.services, HQ, "kiem.toan", "Kiểm toán viên", ["auditor"])
    http = api.client()
    view = (await http.get(f"/enrolment/{made.token}")).json()
    assert view["second_factor_required"] is True
    assert view["totp_uri"].startswith("otpauth://totp/phancong:kiem.toan?")
    without = await http.post(f"/enrolment/{made.token}", json={"password": PASSWORD})
    assert (without.status_code, without.json()["code"]) == (400, "second_factor_required")
    wrong_code = await http.post(f"/enrolment/{made.token}", json={"password": PASSWORD, "code": "000000"})
    assert wrong_code.status_code == 400
    secret = view["totp_secret"]
    assert (
        await http.post(f"/enrolment/{made.token}", json={"password": PASSWORD, "code": api.code(secret)})
    ).is_success
    used = await http.post(f"/enrolment/{made.token}", json={"password": PASSWORD, "code": api.code(secret)})
    assert (used.status_code, used.json()["code"]) == (410, "enrolment_closed")

    api.clock.move(timedelta(seconds=30))
    assert (await sign_in(api, "kiem.toan", PASSWORD)).status_code == 401  # no code
    code = api.code(secret)
    assert (await sign_in(api, "kiem.toan", PASSWORD, code)).status_code == 200
    replayed = await sign_in(api, "kiem.toan", PASSWORD, code)
    assert replayed.status_code == 401  # the same code a second time
    api.clock.move(timedelta(seconds=30))
    assert (await sign_in(api, "kiem.toan", PASSWORD, api.code(secret))).status_code == 200


async def test_a_short_or_common_password_is_refused_at_enrolment(api: Api) -> None:
    made = await accounts.create(api.services, HQ, "chibo.ap2", "Bí thư chi bộ ấp 2", ["cell:CB-TT-AP2"])
    http = api.client()
    secret = (await http.get(f"/enrolment/{made.token}")).json()["totp_secret"]
    for password, with_code, why in [
        ("ngắn quá", False, "at least 15"),
        ("mười bốn ký tự", False, "at least 15"),  # 14: enough only beside a second factor
        ("ngắn", True, "at least 8"),
        ("baseball", True, "most common"),  # long enough beside a second factor, but on the list
        ("aaaaaaaaaaaaaaaaaaaa", False, "repeated"),
        ("tôi là chibo.ap2 đây", False, "login"),
        ("Bí thư chi bộ ấp 2!", False, "name"),
    ]:
        body = {"password": password, "code": api.code(secret) if with_code else None}
        answer = await http.post(f"/enrolment/{made.token}", json=body)
        assert answer.status_code == 400, (password, answer.text)
        assert why in answer.json()["detail"], (password, answer.text)
    assert (await http.post(f"/enrolment/{made.token}", json={"password": "sông Hàm Luông mùa nước nổi"})).is_success


async def test_sessions_end_when_idle_at_their_limit_at_sign_out_and_at_once_when_the_account_is_disabled(
    api: Api,
) -> None:
    member = await api.person("dv.hl03", "member:DV-HL-03")
    assert (await member.get("/session")).status_code == 200

    api.clock.move(api.ctx.policy.session_idle + timedelta(seconds=1))
    expired = await member.get("/session")
    assert (expired.status_code, expired.json()["code"]) == (401, "not_signed_in")

    member = await api.sign_in("dv.hl03", member.password, None)
    for _ in range(int(api.ctx.policy.session_absolute / api.ctx.policy.session_idle) + 1):
        api.clock.move(api.ctx.policy.session_idle - timedelta(minutes=1))
        if (await member.get("/session")).status_code != 200:
            break
    else:
        raise AssertionError("a session outlived its absolute limit")

    member = await api.sign_in("dv.hl03", member.password, None)
    assert (await member.post("/session/sign-out", key=None)).status_code == 204
    assert (await member.get("/session")).status_code == 401

    member = await api.sign_in("dv.hl03", member.password, None)
    hq = await api.person("hq.le", "hq")
    token = (await member.post("/tokens", {"name": "script"}, key=None)).json()["token"]
    bearer = api.client()
    bearer.headers["Authorization"] = f"Bearer {token}"
    assert (await bearer.get("/tasks")).status_code == 200
    disabled = await hq.post("/accounts/dv.hl03/disable", {"reason": "Chuyển công tác"}, key=None)
    assert disabled.status_code == 200, disabled.text
    assert (await member.get("/session")).status_code == 401
    assert (await bearer.get("/tasks")).status_code == 401
    assert (await sign_in(api, "dv.hl03", member.password)).json()["code"] == "account_disabled"


async def test_a_new_session_id_at_every_sign_in_and_the_old_cookie_ends(api: Api) -> None:
    person = await api.person("dv.hl04", "member:DV-HL-04")
    first = person.http.cookies["phancong_session"]
    again = await person.http.post("/session", json={"login": "dv.hl04", "password": person.password})
    assert again.status_code == 200
    second = person.http.cookies["phancong_session"]
    assert second != first
    stale = api.client()
    stale.cookies.set("phancong_session", first)
    assert (await stale.get("/session")).status_code == 401
    set_cookie = again.headers["set-cookie"].lower()
    assert {"httponly", "samesite=strict", "path=/"} <= {part.strip() for part in set_cookie.split(";")}


async def test_a_cookie_post_without_its_csrf_token_is_refused_and_a_bearer_token_needs_none(api: Api) -> None:
    person = await api.person("dv.hl05", "member:DV-HL-05")
    for headers in ({}, {"X-CSRF-Token": "not-the-token"}):
        refused = await person.http.post("/tokens", json={"name": "x"}, headers=headers)
        assert (refused.status_code, refused.json()["code"]) == (403, "csrf_failed")
    made = await person.post("/tokens", {"name": "x", "days": 1}, key=None)
    assert made.status_code == 201
    bearer = api.client()
    bearer.headers["Authorization"] = f"Bearer {made.json()['token']}"
    assert (await bearer.post("/tokens", json={"name": "y"})).json()["code"] == "invalid_input"  # not from a token


async def test_tokens_are_limited_to_their_scopes_expire_and_are_revoked_at_once(api: Api) -> None:
    post = await api.person("can.bo.kep", "post:DBP-HAM-LUONG", "commune:TT-TIEM-TOM")
    assert sorted(post.scopes) == ["commune:TT-TIEM-TOM", "post:DBP-HAM-LUONG"]
    made = (
        await post.post("/tokens", {"name": "báo cáo", "scopes": ["post:DBP-HAM-LUONG"], "days": 2}, key=None)
    ).json()
    assert made["token"].startswith("pct_")
    bearer = api.client()
    bearer.headers["Authorization"] = f"Bearer {made['token']}"
    assert (await bearer.get("/session")).json()["acting_as"] == "post:DBP-HAM-LUONG"
    outside = await bearer.get("/tasks", headers={"Phancong-Scope": "commune:TT-TIEM-TOM"})
    assert (outside.status_code, outside.json()["code"]) == (403, "forbidden")
    foreign = await post.post("/tokens", {"name": "x", "scopes": ["hq"]}, key=None)
    assert foreign.status_code == 400

    listed = (await post.get("/tokens")).json()
    assert [(t["name"], t["state"]) for t in listed] == [("báo cáo", "live")]
    assert "token" not in listed[0]
    api.clock.move(timedelta(days=2, seconds=1))
    assert (await bearer.get("/session")).status_code == 401
    post = await api.sign_in(post.login, post.password, None, scope="post:DBP-HAM-LUONG")

    second = (await post.post("/tokens", {"name": "khác"}, key=None)).json()
    bearer.headers["Authorization"] = f"Bearer {second['token']}"
    assert (await bearer.get("/session", headers={"Phancong-Scope": "commune:TT-TIEM-TOM"})).status_code == 200
    assert (await post.post(f"/tokens/{second['token_id']}/revoke", key=None)).status_code == 204
    assert (await bearer.get("/session")).status_code == 401


async def test_a_revoked_scope_stops_at_once_and_a_reset_voids_the_password(api: Api) -> None:
    hq = await api.person("hq.pham", "hq")
    person = await api.person("can.bo.xa", "commune:TT-TIEM-TOM")
    revoked = await hq.post("/accounts/can.bo.xa/revoke", {"scope": "commune:TT-TIEM-TOM"}, key=None)
    assert revoked.status_code == 200, revoked.text
    assert (await person.get("/tasks")).status_code == 403
    granted = await hq.post("/accounts/can.bo.xa/grant", {"scope": "commune:XA-AN-THUY"}, key=None)
    assert granted.json()["scopes"] == ["commune:XA-AN-THUY"]
    assert (await person.get("/session")).json()["acting_as"] == "commune:XA-AN-THUY"

    reset = await hq.post("/accounts/can.bo.xa/reset", key=None)
    assert reset.status_code == 200
    assert (await person.get("/session")).status_code == 401
    assert (await sign_in(api, "can.bo.xa", person.password)).status_code == 401
    token = reset.json()["enrolment_url"].rsplit("/", 1)[-1]
    http = api.client()
    assert (await http.post(f"/enrolment/{token}", json={"password": "mật khẩu mới sau khi đặt lại"})).is_success
    assert (await sign_in(api, "can.bo.xa", "mật khẩu mới sau khi đặt lại")).status_code == 200


async def test_bodies_too_large_or_not_json_and_too_many_requests_are_refused(api: Api) -> None:
    person = await api.person("dv.bt02", "member:DV-BT-02")
    big = await person.http.post(
        "/tokens", content=b'{"name": "' + b"x" * (2 << 20) + b'"}', headers={"Content-Type": "application/json"}
    )
    assert (big.status_code, big.json()["code"]) == (413, "too_large")
    form = await person.http.post("/tokens", content=b"name=x", headers={"Content-Type": "text/plain"})
    assert (form.status_code, form.json()["code"]) == (415, "unsupported_media_type")

    api.ctx.limiter.per_minute = 5
    answers = [(await person.get("/session")).status_code for _ in range(8)]
    assert answers.count(429) >= 1
    limited = await person.get("/session")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1


async def test_no_password_token_cookie_link_or_key_appears_in_any_log(
    api: Api, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    made = await accounts.create(api.services, HQ, "hq.secret", "HQ", ["hq"])
    http = api.client()
    view = (await http.get(f"/enrolment/{made.token}")).json()
    secret = view["totp_secret"]
    await http.post(f"/enrolment/{made.token}", json={"password": PASSWORD, "code": api.code(secret)})
    await sign_in(api, "hq.secret", "một mật khẩu sai hoàn toàn")
    api.clock.move(timedelta(seconds=30))
    person = await api.sign_in("hq.secret", PASSWORD, secret)
    token = (await person.post("/tokens", {"name": "t"}, key=None)).json()["token"]
    bearer = api.client()
    bearer.headers["Authorization"] = f"Bearer {token}"
    await bearer.get("/tasks")
    await asyncio.sleep(0.1)

    out, err = capfd.readouterr()
    # phancong's logs (the test's own HTTP client logs the URLs it calls: those lines are not the service's)
    records = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    logged = out + err + "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in records)
    assert "request" in logged  # the requests were logged…
    cookie = person.http.cookies["phancong_session"]
    for secret_text in (PASSWORD, "một mật khẩu sai hoàn toàn", made.token, secret, token, cookie, person.csrf):
        assert secret_text not in logged  # …and no secret with them
