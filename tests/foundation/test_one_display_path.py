"""Tables, multi-pickers and months go through lib.web.ui's one helper each, so what the raw-text test
proves for the demo data holds for every table: a missing cell reads "—" (show_table / edit_table), no
"Select all" row on a multiselect (pick_many), a month is picked, never typed (month_picker)."""

from __future__ import annotations

import re
from pathlib import Path

from lib.core.formatting import Quantity, format_value, stored_from_typed, typed_from_stored, unit_label
from lib.core.i18n import translate

ROOT = Path(__file__).resolve().parents[2]
HELPER = ROOT / "lib" / "web" / "ui.py"
RAW_CALLS = {
    r"\bst\.dataframe\(": "show_table",
    r"\bst\.data_editor\(": "edit_table",
    r"\.multiselect\(": "pick_many",
    r"text_input\([^)]*month": "month_picker",
}


def test_every_table_picker_and_month_goes_through_its_helper():
    offenders = []
    for path in [
        ROOT / "app.py",
        *sorted((ROOT / "pages").glob("*.py")),
        *sorted((ROOT / "lib").rglob("*.py")),
    ]:
        if path == HELPER:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern, helper in RAW_CALLS.items():
            for match in re.finditer(pattern, text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(ROOT)}:{line}: use lib.web.ui.{helper}")
    assert not offenders, "\n".join(offenders)


def test_durations_in_the_readers_language():
    assert format_value(132, "s", "zh") == "132 秒" and format_value(132, "s", "en") == "132 s"
    assert format_value(3.0, "h", "zh") == "3.0 小时" and format_value(3.0, "h", "en") == "3.0 h"
    assert format_value(12.5, "min", "zh") == "12.5 分钟"
    assert format_value(None, "min", "zh") == "暂无数据"
    # an error's parameter is written when shown, in that reader's language
    assert translate(
        "importing.error.out_of_range", "zh", min=Quantity(0, "min"), max=Quantity(1440, "min")
    ) == ("超出合理范围（0.0 分钟 至 1440.0 分钟）。")
    assert "1440.0 min" in translate("importing.error.out_of_range", "en", min=0, max=Quantity(1440, "min"))


def test_percent_targets_typed_as_percent_everywhere():
    assert stored_from_typed(3, "pct") == 0.03 and typed_from_stored(0.03, "pct") == 3
    assert stored_from_typed(90, "s") == 90 and typed_from_stored(None, "pct") is None
    assert (
        unit_label("pct", "zh") == "%" and unit_label("s", "zh") == "秒" and unit_label("count", "en") == ""
    )
