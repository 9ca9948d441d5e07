"""Display formats for numbers by metric unit (pages and exports show the same text)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from babel.numbers import format_compact_decimal

from lib.core.i18n import catalogue, translate
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
    if unit in ("score", "per10"):  # per10: a count per 10 sessions
        return f"{value:.2f}"
    return f"{value:,.0f}"


COMPACT_UNITS = ("cny", "count", "people")  # what a Chinese reader reads in 万 / 亿
COMPACT_FROM = 10_000  # below 1万 a figure is written out
COMPACT_DIGITS = 2  # ¥316.35万: two decimals of 万 keep the hundreds


def format_compact(value: float | None, unit: str, lang: str) -> str:
    """A tile's or a message's figure as a Chinese manager reads it: money and counts from 1万 up in 万 / 亿
    (¥316.35万, 1.23亿; CLDR's zh_CN compact format through Babel); English and smaller figures as
    `format_value` writes them (the exact value is `format_value`, shown in the tile's help)."""
    if value is None or lang != "zh" or unit not in COMPACT_UNITS or abs(value) < COMPACT_FROM:
        return format_value(value, unit, lang)
    text = format_compact_decimal(value, locale="zh_CN", fraction_digits=COMPACT_DIGITS)
    if unit == "cny":
        return f"-¥{text[1:]}" if text.startswith("-") else f"¥{text}"
    return text


def format_metric_compact(key: str, value: float | None, lang: str) -> str:
    return format_compact(value, metric(key).unit, lang)


def is_compacted(value: float | None, unit: str, lang: str) -> bool:
    """Whether `format_compact` rounds the figure (then its exact value belongs in the help)."""
    return format_compact(value, unit, lang) != format_value(value, unit, lang)


# printf formats of table columns (Streamlit's NumberColumn, sprintf-js): thousands separators, and one
# number of decimals down a money column (¥1,234.50 above ¥980.00)
TABLE_FORMATS = {"cny": "¥%,.2f", "count": "%,d", "people": "%,d"}


def format_cell(value: float | None, unit: str, lang: str) -> str:
    """A table cell written as text: as `format_value`, but money always to the cent, so a money column
    has one number of decimals down its rows (¥1,234.50 above ¥98,765.00, not ¥98,765)."""
    if unit == "cny" and value is not None:
        return f"¥{value:,.2f}"
    return format_value(value, unit, lang)


def money_axis_labels(lang: str) -> str:
    """A chart's money axis labels as a Vega expression: ¥ before every label (Vega's own currency is $),
    and on a Chinese screen 万 from ¥1万 up (¥300万), as the tiles write money."""
    if lang == "zh":
        return (
            "abs(datum.value) >= 10000 ? '¥' + format(datum.value / 10000, ',.4~g') + '万'"
            " : '¥' + format(datum.value, ',.0f')"
        )
    return "'¥' + format(datum.value, ',.0f')"


def table_format(unit: str) -> str | None:
    """A table column's number format for `unit`; None leaves it to the column's own config."""
    return TABLE_FORMATS.get(unit)


def category_name(name: object, lang: str) -> str:
    """An incident category as the reader's language names it: the default categories (stored by their
    Chinese names) from the catalogue, a category an admin added as typed; none reads "—"."""
    if not isinstance(name, str) or not name:
        return translate("common.missing", lang)
    key = f"incidents.category_name.{name}"
    return translate(key, lang) if key in catalogue() else name


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
        number = float(value)  # type: ignore[arg-type]  # any object: float() refusing it means no number
    except (TypeError, ValueError):
        return None
    return None if number != number else number
