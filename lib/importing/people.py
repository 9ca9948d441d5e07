"""The roster as the people page shows it (phones masked for everyone but admins), and the host accounts
(platform + nickname or account id) that link a person to the names under which exports show them."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, insert, or_, select, update

from lib import rollups
from lib.core.db import audit, inserted_id, write
from lib.core.i18n import translate
from lib.core.models import Department, HostAccount, LiveSession, Person, Position, Team
from lib.importing.commit import lock_imports
from lib.importing.profiles import PLATFORMS
from lib.importing.saved_profiles import ProfileError

PHONE_VISIBLE_ROLES = ("admin",)


def mask_phone(phone: str | None) -> str | None:
    """`13812345678` -> `138****5678`; short numbers keep only their last two digits."""
    if not phone:
        return phone
    digits = phone.strip()
    if len(digits) >= 11:
        return digits[:-8] + "****" + digits[-4:]
    if len(digits) > 4:
        return "*" * (len(digits) - 2) + digits[-2:]
    return "****"


def people_frame(engine: Engine, role: str, lang: str = "zh") -> pd.DataFrame:
    """One row per person; `phone` is masked unless `role` may see it."""
    accounts = (
        select(HostAccount.person_id, func.count(HostAccount.id).label("accounts"))
        .group_by(HostAccount.person_id)
        .subquery()
    )
    position_name = Position.name_zh if lang == "zh" else Position.name_en
    q = (
        select(
            Person.id,
            Person.name,
            position_name.label("position"),
            Department.name.label("department"),
            Team.name.label("team"),
            Person.hired_on,
            Person.phone,
            func.coalesce(accounts.c.accounts, 0).label("accounts"),
        )
        .outerjoin(Position, Position.id == Person.position_id)
        .outerjoin(Department, Department.id == Person.department_id)
        .outerjoin(Team, Team.id == Person.team_id)
        .outerjoin(accounts, accounts.c.person_id == Person.id)
        .order_by(Department.name, Team.name, Person.name)
    )
    with engine.connect() as conn:
        frame = pd.DataFrame(
            conn.execute(q).mappings().all(),
            columns=["id", "name", "position", "department", "team", "hired_on", "phone", "accounts"],
        )
    if role not in PHONE_VISIBLE_ROLES:
        frame["phone"] = frame["phone"].map(mask_phone)
    # the host accounts (platform nicknames / ids) that link this person's sessions, said in words
    frame["accounts"] = [
        translate("importing.people.accounts_none", lang)
        if not n
        else translate("importing.people.accounts_linked", lang, n=int(n))
        for n in frame["accounts"]
    ]
    return frame


def host_accounts_frame(engine: Engine) -> pd.DataFrame:
    q = (
        select(HostAccount.id, Person.name, HostAccount.platform, HostAccount.alias)
        .join(Person, Person.id == HostAccount.person_id)
        .order_by(Person.name, HostAccount.platform, HostAccount.alias)
    )
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(q).mappings().all(), columns=["id", "name", "platform", "alias"])


def person_choices(engine: Engine) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        return [(r.id, r.name) for r in conn.execute(select(Person.id, Person.name).order_by(Person.name))]


def add_host_account(engine: Engine, person_id: int, platform: str, alias: str, username: str) -> int:
    alias = (alias or "").strip()
    if platform not in PLATFORMS:
        raise ProfileError("profile_bad_platform", value=platform)
    if not alias or len(alias) > 128:
        raise ProfileError("alias_bad", value=alias)
    with write(engine) as conn:
        lock_imports(conn)  # relinking rewrites the sessions' roll-ups: one session writer at a time
        taken = conn.execute(
            select(HostAccount.id).where(HostAccount.platform == platform, HostAccount.alias == alias)
        ).first()
        if taken:
            raise ProfileError("alias_taken", value=alias)
        inserted = conn.execute(
            insert(HostAccount).values(person_id=person_id, platform=platform, alias=alias)
        )
        new_id = inserted_id(inserted)
        relinked = relink_sessions(conn, platform, alias)
        audit(
            conn,
            username,
            "people.host_account_added",
            person_id=person_id,
            platform=platform,
            alias=alias,
            sessions_relinked=relinked,
        )
    return int(new_id)


def remove_host_account(engine: Engine, account_id: int, username: str) -> None:
    with write(engine) as conn:
        lock_imports(conn)  # as add_host_account
        row = conn.execute(
            select(HostAccount.platform, HostAccount.alias).where(HostAccount.id == account_id)
        ).first()
        conn.execute(delete(HostAccount).where(HostAccount.id == account_id))
        relinked = relink_sessions(conn, row.platform, row.alias) if row else 0
        audit(conn, username, "people.host_account_removed", id=account_id, sessions_relinked=relinked)


def relink_sessions(conn: Connection, platform: str, alias: str) -> int:
    """Re-resolve the host of the stored sessions this alias can name, by the importer's rule (host name as
    an alias, else a roster name, else the account as an alias), so sessions imported before an alias was
    added or removed count for the right person. Returns how many sessions changed."""
    s = LiveSession.__table__
    aliases = {(a.platform, a.alias): a.person_id for a in conn.execute(select(HostAccount))}
    people = {p.name: p.id for p in conn.execute(select(Person.id, Person.name))}
    pairs = conn.execute(
        select(s.c.host_name, s.c.account, s.c.host_person_id, func.count())
        .where(s.c.platform == platform, or_(s.c.host_name == alias, s.c.account == alias))
        .group_by(s.c.host_name, s.c.account, s.c.host_person_id)
    ).all()
    changed = 0
    # The host key of the roll-ups changes on these sessions' days (recomputed below, same transaction).
    days = rollups.session_days(
        conn, s.c.platform == platform, or_(s.c.host_name == alias, s.c.account == alias)
    )
    for host, account, current, count in pairs:
        pid = (aliases.get((platform, host)) or people.get(host)) if host else None
        if pid is None and account:
            pid = aliases.get((platform, account))
        if pid == current:
            continue
        same_host = s.c.host_name.is_(None) if host is None else s.c.host_name == host
        same_pid = s.c.host_person_id.is_(None) if current is None else s.c.host_person_id == current
        conn.execute(
            update(s)
            .where(s.c.platform == platform, same_host, s.c.account == account, same_pid)
            .values(host_person_id=pid)
        )
        changed += int(count)
    if changed:
        rollups.refresh_days(conn, days)
    return changed
