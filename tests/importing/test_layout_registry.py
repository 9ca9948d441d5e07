"""The platform layouts registry (lib/importing/layouts.py): each layout is a preset of its platform with
a name in both languages, and no header spelling it adds feeds two fields."""

from __future__ import annotations

from lib import importing
from lib.core.platforms import PLATFORMS
from lib.importing.layouts import LAYOUTS
from lib.importing.profiles import PRESET_BY_NAME, SYNONYMS, normalise_header


def test_every_layout_is_a_named_preset_of_its_platform():
    for layout in LAYOUTS:
        preset = PRESET_BY_NAME[layout.name]
        assert (preset.kind, preset.platform, preset.signature) == (
            "sessions",
            layout.platform,
            layout.signature,
        )
        assert layout.platform in PLATFORMS
        zh, en = importing.profile_label(layout.name, "zh"), importing.profile_label(layout.name, "en")
        assert layout.name not in (zh, en) and zh != en, layout.name


def test_no_header_spelling_feeds_two_fields():
    seen: dict[str, str] = {}
    for name, spellings in SYNONYMS["sessions"].items():
        for spelling in spellings:
            other = seen.setdefault(normalise_header(spelling), name)
            assert other == name, (spelling, other, name)
    for layout in LAYOUTS:
        for name, spellings in layout.spellings.items():
            assert all(s in SYNONYMS["sessions"][name] for s in spellings), layout.name
