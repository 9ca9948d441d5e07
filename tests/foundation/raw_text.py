"""What a user reads on a page run under AppTest, and which of it is raw: "None"/"nan"/NaT, a field or
catalogue key, an untranslated i18n key, an English unit or Streamlit placeholder on a Chinese screen.

The raw keys come from the code's own catalogues (metrics, import fields/kinds/profiles, platforms,
positions, table columns, i18n keys), so a new field is checked without editing this file."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache

import pandas as pd

MISSING = re.compile(r"(?<![A-Za-z])(None|nan|NaN|NaT|<NA>)(?![A-Za-z])")
TOKEN = re.compile(r"[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*")
EN_UNIT = re.compile(r"\d\s*(?:s|min|h)\b")  # "132 s", "3.0 h" on a Chinese screen
MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]<>()#+\-.!|~$])")
ASCII_WORD = re.compile(r"[a-z][a-z_ ]*")  # "person", "team": a code name as a header on a Chinese screen
INTERNAL_WORDS = ("SPEC",)  # names of the project's own documents, never a user's
STREAMLIT_PLACEHOLDERS = ("Choose an option", "Choose options", "No results", "No options to select")


@cache
def raw_keys() -> frozenset[str]:
    """Every key the code uses for a field, kind, profile, platform, position, metric or column."""
    from lib.core.metrics import CATALOGUE
    from lib.core.models import Base
    from lib.core.platforms import PLATFORMS
    from lib.core.schema import POSITIONS
    from lib.importing import FIELDS, KINDS
    from lib.importing.profiles import PRESETS
    from lib.incidents import SEVERITIES

    keys = {m.key for m in CATALOGUE} | set(KINDS) | set(PLATFORMS) | {p.name for p in PRESETS}
    keys |= {name for fields in FIELDS.values() for name in fields}
    keys |= {key for key, _zh, _en in POSITIONS} | set(SEVERITIES)
    keys |= {c.name for table in Base.metadata.tables.values() for c in table.columns}
    return frozenset(keys)


@cache
def catalogue_prefixes() -> frozenset[str]:
    from lib.core.i18n import catalogue

    return frozenset(key.split(".")[0] for key in catalogue())


def _is_key_token(token: str) -> bool:
    if "." in token:  # an untranslated i18n key shows itself, e.g. kpis.tile.gmv
        parts = token.split(".")
        return token.islower() and parts[0] in catalogue_prefixes() and all(parts)
    return "_" in token and token in raw_keys()


def raw_parts(text: str, lang: str, usernames: frozenset[str] = frozenset()) -> list[str]:
    """The raw pieces of one visible text (empty when it reads well); `usernames` are logins that have a
    person's name to show instead."""
    text = MD_ESCAPE.sub(r"\1", str(text)).strip()  # md_escape'd text reads without its backslashes
    found = MISSING.findall(text)
    if text in raw_keys():  # a whole label, cell or option that is a bare key
        found.append(text)
    found += [part for part in text.split(" · ") if part.strip() in usernames]  # a login, not a name
    found += [word for word in INTERNAL_WORDS if re.search(rf"\b{word}\b", text)]
    found += [tok for tok in TOKEN.findall(text) if tok != text and _is_key_token(tok)]
    if lang == "zh":
        found += [m.group(0) for m in EN_UNIT.finditer(text)]
        found += [p for p in STREAMLIT_PLACEHOLDERS if p in text]
    return found


# --- what a user sees ------------------------------------------------------------------------------


def _cell(value: object, placeholder: str | None) -> str:
    if value is None or (not isinstance(value, list | tuple | dict) and pd.isna(value)):
        return "None" if placeholder is None else placeholder  # Streamlit's default for a missing value
    return str(value)


def _frame_texts(frame: pd.DataFrame, config_json: str, placeholder: str | None) -> Iterator[tuple[str, str]]:
    config = json.loads(config_json) if config_json else {}
    for col in frame.columns:
        conf = config.get(str(col)) or config.get(f"col:{col}") or {}
        if conf.get("hidden"):
            continue
        header = str(conf.get("label") or col)
        yield "header", header
        type_config = conf.get("type_config") or {}
        if type_config.get("type") == "link" and type_config.get("display_text"):
            continue  # the link shows its display text (checked by its own column test)
        labels = {  # a selectbox column shows each option's label (its format_func)
            str(o["value"]): o["label"] for o in type_config.get("options") or () if isinstance(o, dict)
        }
        for value in frame[col]:
            text = _cell(value, placeholder)
            yield f"column {header!r}", labels.get(text, text)


def _chart_texts(spec_json: str) -> Iterator[str]:
    """Titles of a Vega-Lite chart, and the field name it shows when a channel has no title."""
    spec = json.loads(spec_json or "{}")

    def walk(node: object) -> Iterator[str]:
        if isinstance(node, dict):
            title = node.get("title")
            if isinstance(title, str):
                yield title
            elif isinstance(title, dict) and isinstance(title.get("text"), str):
                yield title["text"]
            encoding = node.get("encoding")
            if isinstance(encoding, dict):
                for channel, enc in encoding.items():
                    shown = channel in ("x", "y", "color", "theta", "size", "column", "row")
                    hidden = enc.get("axis", 0) is None or enc.get("legend", 0) is None
                    if isinstance(enc, dict) and shown and "title" not in enc and not hidden:
                        if isinstance(enc.get("field"), str):
                            yield enc["field"]
            for key, child in node.items():
                if key not in ("title", "datasets", "data"):
                    yield from walk(child)
        elif isinstance(node, list):
            for child in node:
                yield from walk(child)

    yield from walk(spec)


def _nothing_chosen(box) -> bool:
    """A selectbox shows its placeholder: no value, and None is not one of its options (e.g. "—")."""
    if box.value is not None:
        return False
    try:
        return str(box.format_func(None)) not in box.options
    except Exception:  # noqa: BLE001 - a format_func that cannot take None: None is no option
        return True


def _element_texts(node) -> Iterator[tuple[str, str]]:
    kind = node.type
    where = f"{kind} {node.key}" if getattr(node, "key", None) else kind
    for part, text in _element_parts(node, kind, node.proto):
        yield (f"{where} {part}".strip(), text)


def _element_parts(node, kind: str, proto) -> Iterator[tuple[str, str]]:  # noqa: C901 - one branch a kind
    if kind in ("markdown", "caption", "title", "header", "subheader", "text", "error", "warning", "info"):
        yield "", node.value
    elif kind in ("success", "toast", "exception"):
        yield "", str(node.value)
    elif kind == "metric":
        yield from (("label", proto.label), (proto.label, proto.body), (proto.label, proto.delta))
    elif kind in ("dataframe", "table"):
        config = getattr(proto, "columns", "") if kind == "dataframe" else ""
        placeholder = proto.placeholder if kind == "dataframe" and proto.HasField("placeholder") else None
        yield from _frame_texts(node.value, config, placeholder)
    elif kind in ("selectbox", "multiselect", "radio", "button_group", "select_slider"):
        yield "label", getattr(node, "label", "") or ""
        yield from (("option", str(o)) for o in getattr(proto, "options", ()))
        if kind == "selectbox" and _nothing_chosen(node):  # the placeholder shows only while empty
            yield "placeholder", proto.placeholder or "Choose an option"
        if kind == "multiselect" and not node.value:
            yield (
                "placeholder",
                proto.placeholder or ("Choose options" if proto.options else "No options to select"),
            )
    elif kind == "arrow_vega_lite_chart":
        yield from (("chart", text) for text in _chart_texts(proto.spec))
    elif hasattr(node, "label"):
        yield "label", node.label
    if kind != "caption" and isinstance(getattr(proto, "help", None), str) and proto.help:
        yield "help", proto.help


def visible_texts(at) -> list[tuple[str, str]]:
    """(where, text) for every text the page shows: elements, widget labels and options, tables (headers
    and cells), expanders and tabs."""
    out: list[tuple[str, str]] = []

    def walk(node) -> None:
        children = getattr(node, "children", None)
        if children is not None:  # a block
            if node.type in ("expander", "status", "tab"):
                out.append((node.type, node.label))
            for child in children.values():
                walk(child)
            return
        out.extend(pair for pair in _element_texts(node) if pair[1])

    walk(at._tree)
    return out


def raw_texts(at, lang: str, usernames: frozenset[str] = frozenset()) -> list[tuple[str, str, list[str]]]:
    """(where, text, raw pieces) for every visible text with something raw in it."""
    found = []
    for where, text in visible_texts(at):
        parts = raw_parts(text, lang, usernames)
        if lang == "zh" and where.endswith("header") and ASCII_WORD.fullmatch(text):
            parts.append(text)
        if parts:
            found.append((where, text[:120], parts))
    return found
