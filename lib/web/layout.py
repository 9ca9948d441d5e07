"""Layout rules Streamlit's API cannot express, as one static style sheet (no user data ever goes in it),
applied to containers by their key (Streamlit gives a keyed container the class `st-key-<key>`):

- every page starts right under the header bar (Streamlit leaves 6rem, a tenth of a phone's screen);
- on a phone the account row above every page keeps to one line: "signed in as" (ACCOUNT_WHO) is left out,
  the language switch and logout stay;

- `phone_grid(key)`: a block whose rows of `st.columns` keep two columns per row on a phone (Streamlit
  stacks columns one per row under 640 px); the KPI tiles use it.
- `big_choices(key)`: radio options inside are large enough to tap on a phone (the survey's 1–5), and on
  a phone's width share one row (they wrapped onto two at 390 px).
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

GRID_PREFIX = "phone2_"
ACCOUNT_WHO = "account_who"
CHOICES_PREFIX = "bigchoice_"

_CSS = f"""<style>
[data-testid="stMainBlockContainer"] {{ padding-top: 4rem; }}
@media (max-width: 640px) {{
  .st-key-{ACCOUNT_WHO} {{ display: none; }}
  [class*="st-key-{GRID_PREFIX}"] [data-testid="stHorizontalBlock"] {{
    flex-wrap: wrap; gap: 0.5rem;
  }}
  [class*="st-key-{GRID_PREFIX}"] [data-testid="stColumn"] {{
    flex: 1 1 calc(50% - 0.25rem) !important; min-width: calc(50% - 0.25rem) !important;
    width: calc(50% - 0.25rem) !important;
  }}
  [class*="st-key-{GRID_PREFIX}"] [data-testid="stMetricValue"] {{ font-size: 1.5rem; }}
}}
[class*="st-key-{CHOICES_PREFIX}"] [data-testid="stRadioGroup"] > div {{ gap: 0.5rem; flex-wrap: wrap; }}
[class*="st-key-{CHOICES_PREFIX}"] [data-testid="stRadioOption"] {{
  min-width: 3rem; min-height: 2.75rem; padding: 0.25rem 0.75rem; margin: 0;
  border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; align-items: center;
}}
@media (max-width: 640px) {{
  [class*="st-key-{CHOICES_PREFIX}"] [data-testid="stRadioGroup"],
  [class*="st-key-{CHOICES_PREFIX}"] [data-testid="stRadioGroup"] > div {{ flex-wrap: nowrap; gap: 0.25rem; }}
  [class*="st-key-{CHOICES_PREFIX}"] [data-testid="stRadioOption"] {{
    flex: 1 1 0; min-width: 2.75rem; padding: 0.25rem 0.35rem; justify-content: center;
  }}
}}
</style>"""


def apply_layout_rules() -> None:
    """Once per run, before the page draws (the style element takes no space)."""
    st.html(_CSS)


def phone_grid(key: str) -> DeltaGenerator:
    return st.container(key=f"{GRID_PREFIX}{key}")


def big_choices(key: str) -> DeltaGenerator:
    return st.container(key=f"{CHOICES_PREFIX}{key}")
