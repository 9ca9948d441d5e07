"""Usernames at the door: one canonical form (so `Admin`, `admin` and `ad\u200bmin` are one name) and a
skeleton that maps lookalike letters together (so `аdmin` with a Cyrillic а cannot sit next to `admin`).

The lookalike map covers the common Latin / Cyrillic / Greek confusables, digits read as letters (1/l/i,
5/s, 0/o, 8/b, 2/z, 3/e, 4/a, 6/b, 7/t, 9/g) and a few letter-pair tricks, not the whole of Unicode's
confusables table (UTS #39).
"""

from __future__ import annotations

import re
import unicodedata

# Invisible characters that change nothing a person sees: zero-width marks, soft hyphen, BOM, and the
# bidirectional controls that can reorder what is shown (RTL override and friends).
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)

# Lowercase lookalikes (after casefold) -> the Latin letter a reader takes them for.
_LOOKALIKES = str.maketrans(
    {
        # Cyrillic
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "e",
        "һ": "h",
        "і": "l",
        "ї": "l",
        "ј": "j",
        "к": "k",
        "ӏ": "l",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "ԛ": "q",
        "г": "r",
        "ѕ": "s",
        "т": "t",
        "с": "c",
        "у": "y",
        "х": "x",
        "ԁ": "d",
        "ԝ": "w",
        "ь": "b",
        "п": "n",
        # Greek
        "α": "a",
        "β": "b",
        "ε": "e",
        "η": "n",
        "ι": "l",
        "κ": "k",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "γ": "y",
        "ω": "w",
        "μ": "u",
        "ϲ": "c",
        "ϳ": "j",
        # Digits and Latin letters read as other Latin letters. i, l, 1 and | are one stroke to a reader:
        # they all map to "l" (so `adm1n`, `admln` and `admin` are one skeleton).
        "0": "o",
        "1": "l",
        "i": "l",
        "ı": "l",
        "|": "l",
        "!": "l",
        "2": "z",
        "3": "e",
        "4": "a",
        "5": "s",
        "6": "b",
        "7": "t",
        "8": "b",
        "9": "g",
        "$": "s",
        "@": "a",
        "ɡ": "g",
    }
)
_LETTER_PAIRS = (("rn", "m"), ("vv", "w"), ("cl", "d"))


def canonical_username(raw: str) -> str:
    """The stored and compared form: NFKC, invisible characters removed, trimmed, case-folded."""
    text = unicodedata.normalize("NFKC", raw)
    text = _INVISIBLE.sub("", text).strip()
    return unicodedata.normalize("NFKC", text.casefold())


def username_skeleton(name: str) -> str:
    """What a name looks like: two names with one skeleton are confusable (e.g. `admin`, `аdmin`, `adrnin`)."""
    text = canonical_username(name)
    # Strip accents too: `ádmin` reads as `admin`.
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = text.translate(_LOOKALIKES)
    for pair, letter in _LETTER_PAIRS:
        text = text.replace(pair, letter)
    return text
