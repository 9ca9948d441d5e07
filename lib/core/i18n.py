"""The one UI string catalogue: every user-facing string is looked up here by key.

The catalogue is split into one TOML file per domain under lib/locales/ (so domains can grow apart),
merged at load; a key may appear in only one file, and every key has both `zh` and `en`.

A text with a count may add its plural forms by CLDR category (`en_one = "{n} case"` beside
`en = "{n} cases"`): the count's category in the language (Babel's plural rules) picks the form.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
LOCALES_DIR = Path(__file__).parent / "locales"


def _flatten(prefix: str, node: dict[str, Any], out: dict[str, dict[str, str]], source: str) -> None:
    if "zh" in node or "en" in node:
        if prefix in out:
            raise ValueError(f"duplicate i18n key {prefix!r} in {source}")
        out[prefix] = {lang: node.get(lang, "") for lang in LANGUAGES}
        out[prefix] |= {k: v for k, v in node.items() if k.split("_")[0] in LANGUAGES and "_" in k}
        return
    for key, child in node.items():
        if not isinstance(child, dict):
            raise ValueError(f"i18n entry {prefix}.{key} in {source} must be a table with zh/en")
        _flatten(f"{prefix}.{key}" if prefix else key, child, out, source)


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """All keys of all locale files: {key: {"zh": ..., "en": ...}}."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted(LOCALES_DIR.glob("*.toml")):
        with path.open("rb") as fh:
            _flatten("", tomllib.load(fh), out, path.name)
    return out


PLURAL_PARAMS = ("n", "count", "total", "rows", "sessions", "days")  # the count a plural form follows


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse({"zh": "zh_Hans_CN", "en": "en"}.get(lang, lang))


def plural_category(count: object, lang: str) -> str:
    """The CLDR plural category of `count` in `lang` ("one" for 1 in English, "other" for 0 and 2;
    Chinese has only "other"); a non-number counts as "other"."""
    if isinstance(count, str):  # a count already written out ("1,204")
        try:
            count = float(count.replace(",", ""))
        except ValueError:
            return "other"
    count = getattr(count, "value", count)  # formatting.Quantity
    if isinstance(count, bool) or not isinstance(count, int | float):
        return "other"
    return _locale(lang).plural_form(abs(count))


def translate(key: str, lang: str = DEFAULT_LANGUAGE, **params: Any) -> str:
    """The string for `key` in `lang`, formatted with `params`; an unknown key shows itself."""
    entry = catalogue().get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry.get(DEFAULT_LANGUAGE) or key
    count = next((params[p] for p in PLURAL_PARAMS if p in params), None)
    if count is not None and len(entry) > len(LANGUAGES):  # the entry has plural forms
        text = entry.get(f"{lang}_{plural_category(count, lang)}") or text
    if params:
        # a parameter that writes itself per language (formatting.Quantity: "90 秒" / "90 s")
        params = {k: v.localized(lang) if hasattr(v, "localized") else v for k, v in params.items()}
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text
