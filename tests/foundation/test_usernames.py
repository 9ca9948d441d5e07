"""Usernames are normalised at the door and lookalikes refused (issue 12 item 10): the library, the CLI's
`user add` and the users page all go through auth.add_user."""

import pytest
from sqlalchemy import select

from lib.core import auth
from lib.core.db import write
from lib.core.i18n import translate
from lib.core.models import User
from lib.core.usernames import canonical_username, username_skeleton
from tests.conftest import TEST_PASSWORD


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("Admin", "admin"),
        ("ADMIN", "admin"),
        ("ad\u200bmin", "admin"),  # zero-width space
        ("\u202eadmin", "admin"),  # right-to-left override
        ("ad\u2066min\u2069", "admin"),  # bidi isolate
        ("\ufeffadmin\u00ad", "admin"),  # BOM, soft hyphen
        ("ａｄｍｉｎ", "admin"),  # full-width letters (NFKC)
        ("  Lin.Xiaoyu ", "lin.xiaoyu"),
        ("林\u200b晓雨", "林晓雨"),
    ],
)
def test_canonical_form(raw, canonical):
    assert canonical_username(raw) == canonical


@pytest.mark.parametrize(
    "lookalike",
    ["\u0430dmin", "\u0430dm\u0456n", "\u03b1dmin", "adrnin", "ádmin", "ADM\u0399N"],
)
def test_lookalikes_share_a_skeleton(lookalike):
    assert username_skeleton(lookalike) == username_skeleton("admin")
    assert username_skeleton("a1ice") == username_skeleton("alice") == username_skeleton("\u0430lic\u0435")


@pytest.mark.parametrize(
    ("lookalike", "name"),
    [
        ("adm1n", "admin"),
        ("admln", "admin"),
        ("adm|n", "admin"),
        ("5taff", "staff"),
        ("$taff", "staff"),
        ("st4ff", "staff"),
        ("manag3r", "manager"),
        ("b0b", "bob"),
        ("808", "bob"),
        ("2oe", "zoe"),
        ("9race", "grace"),
        ("7om", "tom"),
        ("6en", "ben"),
    ],
)
def test_digits_read_as_letters_share_a_skeleton(lookalike, name):
    """Issue 25 item 14: `adm1n` and `5taff` sat next to `admin` and `staff`."""
    assert username_skeleton(lookalike) == username_skeleton(name)


def test_staff_lookalike_is_refused(engine):
    with write(engine) as conn:
        auth.add_user(conn, "staff", TEST_PASSWORD, "staff")
    for name in ("5taff", "st4ff", "5TAFF"):
        with write(engine) as conn, pytest.raises(auth.AuthError) as err:
            auth.add_user(conn, name, TEST_PASSWORD, "staff")
        assert err.value.code == "username_confusable" and err.value.params["other"] == "staff"
    assert _usernames(engine) == ["staff"]


@pytest.mark.parametrize("other", ["admins", "madmin", "adnim", "林晓雨"])
def test_different_names_keep_different_skeletons(other):
    assert username_skeleton(other) != username_skeleton("admin")


@pytest.fixture
def admin_user(engine):
    with write(engine) as conn:
        auth.add_user(conn, "admin", TEST_PASSWORD, "admin")
    return "admin"


def _usernames(engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(select(User.username)).scalars())


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Admin", "user_exists"),
        ("ad\u200bmin", "user_exists"),
        ("\u202eADMIN", "user_exists"),
        ("\u0430dmin", "username_confusable"),  # Cyrillic а
        ("\u03b1dmin", "username_confusable"),  # Greek α
        ("adrnin", "username_confusable"),  # rn reads as m
        ("adm1n", "username_confusable"),  # digit one for i (issue 25 item 14)
        ("admln", "username_confusable"),  # l for i
        ("4dmin", "username_confusable"),  # 4 for a
        ("\u200b\u200b", "bad_username"),
        ("ad<b>", "bad_username"),
    ],
)
def test_add_user_refuses_duplicates_and_lookalikes(engine, admin_user, name, code):
    with write(engine) as conn, pytest.raises(auth.AuthError) as err:
        auth.add_user(conn, name, TEST_PASSWORD, "staff")
    assert err.value.code == code
    if code == "username_confusable":
        assert err.value.params["other"] == "admin"
    assert _usernames(engine) == ["admin"]


def test_names_are_stored_canonical_and_found_in_any_case(engine):
    with write(engine) as conn:
        auth.add_user(conn, "Lin.Xiao\u200bYu", TEST_PASSWORD, "staff")
        assert auth.attempt_login(conn, "LIN.XIAOYU", TEST_PASSWORD).ok
        assert auth.attempt_login(conn, " lin.xiao\u200byu\u202e", TEST_PASSWORD).ok
        assert not auth.attempt_login(conn, "l\u0456n.xiaoyu", TEST_PASSWORD).ok  # lookalike is not a login
        auth.update_user(conn, "Lin.XiaoYu", "t_admin", role="manager")
    assert _usernames(engine) == ["lin.xiaoyu"]


def test_an_older_mixed_case_row_is_still_found(engine):
    """Rows stored before names were case-folded keep working (ASCII case)."""
    with write(engine) as conn:
        auth.add_user(conn, "oldtimer", TEST_PASSWORD, "staff")
        conn.execute(User.__table__.update().values(username="OldTimer"))
        assert auth.attempt_login(conn, "oldtimer", TEST_PASSWORD).ok
        with pytest.raises(auth.AuthError, match="user_exists"):
            auth.add_user(conn, "OLDTIMER", TEST_PASSWORD, "staff")


def test_cli_user_add_normalises_and_refuses_lookalikes(engine, admin_user, cli_here):
    good = cli_here("user", "add", "Ops.Lead\u200b", "--role", "staff", stdin="a-very-good-password\n")
    assert good.returncode == 0, good.stderr
    assert "user ops.lead added" in good.stderr
    same = cli_here("user", "add", "OPS.LEAD", "--role", "staff", stdin="a-very-good-password\n")
    assert same.returncode == 2 and "already exists" in same.stderr
    cyrillic = cli_here("user", "add", "\u0430dmin", "--role", "admin", stdin="a-very-good-password\n")
    assert cyrillic.returncode == 2
    assert cyrillic.stderr.strip() == "error: " + translate(
        "auth.error.username_confusable", "en", value="\u0430dmin", other="admin"
    )
    assert _usernames(engine) == ["admin", "ops.lead"]


def test_users_page_refuses_a_lookalike(run_page, engine, users):
    at = run_page("users", "admin")
    at.text_input(key="new_username").input("t_\u0430dmin")  # Cyrillic а next to t_admin
    at.text_input(key="new_password").input(TEST_PASSWORD)
    next(b for b in at.button if b.label == translate("users.add", "zh")).click()
    at = at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        translate("auth.error.username_confusable", "zh", value="t_\u0430dmin", other="t_admin")
    ]
    assert _usernames(engine) == ["t_admin", "t_manager", "t_staff"]
