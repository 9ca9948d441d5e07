"""Import tables and names for a language: a file's preview, the upload history, layout (profile) names."""

from __future__ import annotations

from typing import Any

import pandas as pd

from lib.core.formatting import category_name
from lib.core.i18n import catalogue, translate
from lib.importing.profiles import PRESET_BY_NAME

PREVIEW_ROWS = 200


def profile_label(name: str | None, lang: str) -> str:
    """A built-in layout by its catalogue name; a saved one (named by an admin) as it was typed."""
    if not name:
        return translate("common.no_data", lang)
    key = f"importing.profile.{name}"  # the built-in presets and the session-detail layouts
    return translate(key, lang) if name in PRESET_BY_NAME or key in catalogue() else name


def preview_frame(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The first rows of a file as the importer read them: fields under their catalogue names, platforms
    by name; columns the importer derives itself (no catalogue name) are left out."""
    shown = [c for c in frame.columns if f"importing.field.{c}" in catalogue()]
    out = frame.loc[:, shown].head(PREVIEW_ROWS).copy()
    if "platform" in out:
        out["platform"] = out["platform"].map(lambda p: _platform(p, lang))
    if "severity" in out:  # simple / complex / major as the incident pages name them
        out["severity"] = out["severity"].map(lambda v: _coded("incidents.severity", v, lang))
    if "category" in out:
        out["category"] = out["category"].map(lambda c: category_name(c, lang) if isinstance(c, str) else c)
    return out.rename(columns={c: translate(f"importing.field.{c}", lang) for c in shown})


def history_frame(history: list[dict[str, Any]], lang: str) -> pd.DataFrame:
    """The upload history: kind, layout and status in words, headers from the catalogue."""
    frame = pd.DataFrame(history).drop(columns=["undone_at", "undone_by"])
    if "uploader" in frame:  # the person's name under the uploader's header
        frame["username"] = frame.pop("uploader")
    frame["status"] = frame["status"].map(lambda s: translate(f"importing.status.{s}", lang))
    frame["kind"] = frame["kind"].map(lambda k: translate(f"importing.kind.{k}", lang) if k else None)
    frame["profile"] = frame["profile"].map(lambda p: profile_label(p, lang))
    return frame.rename(columns={c: translate(f"importing.hist.{c}", lang) for c in frame.columns})


def _platform(value: Any, lang: str) -> Any:
    return _coded("importing.platform", value, lang)


def _coded(prefix: str, value: Any, lang: str) -> Any:
    """A coded value by its catalogue name; anything else (a user's text, a missing value) as it is."""
    key = f"{prefix}.{value}"
    return translate(key, lang) if isinstance(value, str) and key in catalogue() else value
