"""Header mappings an admin saved as profiles (export_profiles): load them next to the presets, save a new
one after checking its name, kind, platform and fields."""

from __future__ import annotations

import json
import re

from sqlalchemy import Engine, insert, select

from lib.core.db import audit, inserted_id, now, write
from lib.core.errors import CodedError
from lib.core.models import ExportProfile
from lib.importing.profiles import FIELDS, KINDS, PLATFORMS, PRESET_BY_NAME, PRESETS, Profile


def load_saved(engine: Engine) -> list[Profile]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(ExportProfile.name, ExportProfile.kind, ExportProfile.platform, ExportProfile.mapping)
        ).all()
    return [
        Profile(r.name, r.kind, r.platform, mapping=json.loads(r.mapping), saved=True)
        for r in rows
        if r.kind in KINDS
    ]


def all_profiles(engine: Engine | None) -> list[Profile]:
    saved = load_saved(engine) if engine is not None else []
    return saved + list(PRESETS)


class ProfileError(CodedError):
    prefix = "importing.error"


def save_profile(
    engine: Engine, name: str, kind: str, platform: str | None, mapping: dict[str, str], username: str
) -> int:
    """Save an admin's header mapping as a new profile; refuses unknown kinds/fields and taken names."""
    name = name.strip()
    if not re.fullmatch(r"[\w\-. ]{2,64}", name):
        raise ProfileError("profile_bad_name", value=name)
    if kind not in KINDS:
        raise ProfileError("profile_bad_kind", value=kind)
    if platform is not None and platform not in PLATFORMS:
        raise ProfileError("profile_bad_platform", value=platform)
    clean = {h: f for h, f in mapping.items() if f}
    bad = [f for f in clean.values() if f not in FIELDS[kind]]
    if bad:
        raise ProfileError("profile_bad_field", value=bad[0])
    if not clean:
        raise ProfileError("profile_empty")
    if name in PRESET_BY_NAME:
        raise ProfileError("profile_name_taken", value=name)
    with write(engine) as conn:
        if conn.execute(select(ExportProfile.id).where(ExportProfile.name == name)).first():
            raise ProfileError("profile_name_taken", value=name)
        inserted = conn.execute(
            insert(ExportProfile).values(
                name=name,
                kind=kind,
                platform=platform,
                mapping=json.dumps(clean, ensure_ascii=False),
                created_by=username,
                created_at=now(),
            )
        )
        new_id = inserted_id(inserted)
        audit(conn, username, "import.profile_saved", name=name, kind=kind, platform=platform)
    return int(new_id)
