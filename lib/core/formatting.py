"""Display formats for numbers by metric unit (pages and exports show the same text)."""

from __future__ import annotations

from lib.core.i18n import translate
from lib.core.metrics import metric


def format_value(value: float | None, unit: str, lang: str) -> str:
    """`value` as the unit shows it; None is "no data", never 0."""
    if value is None:
        return translate("common.no_data", lang)
    return format_number(value, unit)


def format_number(value: float, unit: str) -> str:
    """A present value as its unit shows it (the same in every language)."""
    if unit == "cny":
        return f"¥{value:,.2f}" if abs(value) < 1000 else f"¥{value:,.0f}"
    if unit == "pct":
        return f"{value * 100:.1f}%"
    if unit == "s":
        return f"{value:.0f} s"
    if unit == "h":
        return f"{value:.1f} h"
    if unit == "min":
        return f"{value:.1f} min"
    if unit == "score":
        return f"{value:.2f}"
    return f"{value:,.0f}"


def format_metric(key: str, value: float | None, lang: str) -> str:
    return format_value(value, metric(key).unit, lang)


def format_points(diff: float) -> str:
    """The size of a difference between two rates in percentage points (0.032 -> "3.2")."""
    return f"{abs(diff) * 100:.1f}"


def format_change(change: float | None) -> str | None:
    """Relative change as st.metric's delta text (None hides the delta)."""
    return None if change is None else f"{change * 100:+.1f}%"


_MD_SPECIAL = "\\`*_{}[]<>()#+-.!|~$"


def md_escape(text: object) -> str:
    """User text made inert inside st.markdown: every Markdown/HTML special character is escaped."""
    return "".join("\\" + c if c in _MD_SPECIAL else c for c in str(text))


def number_or_none(value: object) -> float | None:
    """A stored or computed number as float, with NULL, NaN and non-numbers as None ("no data")."""
    if value is None or isinstance(value, str | bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if number != number else number
