"""Settings that take effect from a month (schedule rules, the SLA table): the month check and the refusal
every such setting shares (lib.settings, lib.incidents). A month already measured keeps its values."""

from __future__ import annotations

import re
from typing import ClassVar

from lib.core.errors import CodedError
from lib.core.i18n import translate

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class SettingsError(CodedError):
    """A refused setting; `params` name the field (a setting's key or a form field) and the value."""

    prefix: ClassVar[str] = "settings.error"

    def message(self, lang: str) -> str:
        """The text with the fields named in `lang` (a setting's key shows as its label)."""
        named = dict(self.params)
        for param in ("field", "other"):
            if param in named:
                key = f"settings.field.{named[param]}"
                label = translate(key, lang)
                named[param] = named[param] if label == key else label
        return translate(self.key(), lang, **named)


def check_month(raw: object, this_month: str) -> str:
    """A month YYYY-MM, this month or later: a month already measured keeps the values it had."""
    text = str(raw if raw is not None else "").strip()
    if not MONTH_RE.match(text):
        raise SettingsError("bad_month", field="month_from", value=text)
    if text < this_month:
        raise SettingsError("month_past", field="month_from", value=text, month=this_month)
    return text
