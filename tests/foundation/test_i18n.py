"""The one string catalogue: every key has Chinese and English; pages use only known keys."""

import re
from pathlib import Path

from lib.core.i18n import catalogue, translate

ROOT = Path(__file__).resolve().parents[2]


def test_every_key_has_both_languages():
    missing = [k for k, v in catalogue().items() if not v["zh"].strip() or not v["en"].strip()]
    assert missing == []


def test_keys_used_in_code_exist():
    used = set()
    for path in [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("lib/**/*.py")]:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z0-9_.]+)["']""", path.read_text(encoding="utf-8")))
    unknown = sorted(k for k in used if k not in catalogue())
    assert unknown == []


def test_translate_formats_and_falls_back():
    assert translate("auth.error.login_refused", "en", max=5, minutes=15).endswith("after 5 failed logins.")
    assert "15 分钟" in translate("auth.error.login_refused", "zh", max=5, minutes=15)
    assert translate("no.such.key", "en") == "no.such.key"
