"""Display formats for numbers by metric unit (pages and exports show the same text)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lib.core.i18n import translate
from lib.core.metrics import metric

DURATION_DIGITS = {"s": 0, "min": 1, "h": 1}  # units of time, written in the reader's language


def format_value(value: float | None, unit: str, lang: str) -> str:
    """`value` as the unit shows it; None is "no data", never 0."""
    if value is None:
        return translate("common.no_data", lang)
    return format_number(value, unit, lang)


def format_number(value: float, unit: str, lang: str) -> str:
    """A present value as its unit shows it; units of time in `lang` ("132 秒" / "132 s")."""
    if unit == "cny":
        return f"¥{value:,.2f}" if abs(value) < 1000 else f"¥{value:,.0f}"
    if unit == "pct":
        return f"{value * 100:.1f}%"
    if unit in DURATION_DIGITS:
        return f"{value:.{DURATION_DIGITS[unit]}f} {translate(f'common.unit.{unit}', lang)}"
    if unit == "score":
        return f"{value:.2f}"
    return f"{value:,.0f}"


@dataclass(frozen=True)
class Quantity:
    """A number with its unit kept in an error's parameters and written only when shown, in the reader's
    language (translate() calls `localized`)."""

    value: float
    unit: str

    def localized(self, lang: str) -> str:
        return format_number(self.value, self.unit, lang)

    def __str__(self) -> str:
        return self.localized("en")


def unit_label(unit: str, lang: str) -> str:
    """The unit a number is typed in, as a column says it ("%", "¥", "秒"); "" for counts and scores."""
    if unit in DURATION_DIGITS:
        return translate(f"common.unit.{unit}", lang)
    return {"pct": "%", "cny": "¥"}.get(unit, "")


def typed_from_stored(value: float | None, unit: str) -> float | None:
    """A stored target as a user types it: a rate as percent (0.03 -> 3), anything else as stored."""
    if value is None:
        return None
    return value * 100 if unit == "pct" else value


def stored_from_typed(value: float | None, unit: str) -> float | None:
    """What a user typed as a stored target: percent back to a fraction (3 -> 0.03)."""
    if value is None:
        return None
    return value / 100 if unit == "pct" else value


def format_metric(key: str, value: float | None, lang: str) -> str:
    return format_value(value, metric(key).unit, lang)


def format_points(diff: float) -> str:
    """The size of a difference between two rates in percentage points (0.032 -> "3.2")."""
    return f"{abs(diff) * 100:.1f}"


def format_change(change: float | None) -> str | None:
    """Relative change as st.metric's delta text (None hides the delta)."""
    return None if change is None else f"{change * 100:+.1f}%"


_MD_SPECIAL = "\\`*_{}[]<>()#+-.!|~$:"  # ":" for Streamlit's :material/...: and :red[...]


WORD_JOINER = "\u2060"  # invisible and zero-width: splits a text without showing or wrapping anything
# Where GitHub-flavoured Markdown would turn plain text into a link. Streamlit's renderer finds these in
# the text *after* backslash escapes are resolved (mdast-util-gfm-autolink-literal: `https?://`, `www.`
# and `name@domain.tld`), so escaping cannot stop them: a word joiner inside every "://", after every "@"
# and between "www" and "." can (the patterns need those characters side by side).
_AUTOLINK_JOINTS = re.compile(r"(?<=:)(?=/)|(?<=@)|(?<=www)(?=\.)", re.IGNORECASE)


def break_autolinks(text: str) -> str:
    """`text` with a word joiner wherever Markdown could auto-link it (http://, www., a@b.c): it reads and
    copies the same, but no URL or e-mail address in it becomes a link."""
    return _AUTOLINK_JOINTS.sub(WORD_JOINER, text)


def md_escape(text: object) -> str:
    """User text made inert inside st.markdown (and every widget label that renders Markdown): every
    Markdown/HTML special character is escaped and no URL or e-mail address can become a link."""
    return "".join("\\" + c if c in _MD_SPECIAL else c for c in break_autolinks(str(text)))


def number_or_none(value: object) -> float | None:
    """A stored or computed number as float, with NULL, NaN and non-numbers as None ("no data")."""
    if value is None or isinstance(value, str | bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if number != number else number
