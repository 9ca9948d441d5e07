"""The monthly self-assessment beside a scorecard (lib/scorecards/selfassess.py decides who may read and
write): the person writes or edits theirs, their manager reads and comments, an admin reads. What people
typed is shown with st.text (never Markdown or HTML); the forms are write-once (lib/web/form_ui.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import streamlit as st

from lib import scorecards as sc
from lib.core import clock, forms
from lib.core.auth import CurrentUser
from lib.core.formatting import md_escape
from lib.web import form_ui
from lib.web.i18n import t
from lib.web.ui import engine

WRITE_KEYS = ("sa_write_",)
COMMENT_KEYS = ("sa_comment_",)
SA = sc.selfassess


def section(user: CurrentUser, month: str, person_id: int, person: str, lang: str) -> None:
    """The person's self-assessment of `month`, with the form the viewer may use; nothing of it for a
    viewer who may not read it."""
    st.subheader(t("scorecards.assess.title"))
    if not SA.can_read(engine(), user, person_id):
        st.caption(t("scorecards.assess.private"))
        return
    w = SA.window(month, clock.today())
    st.caption(
        t(
            "scorecards.assess.caption",
            write_until=w.write_until.isoformat(),
            comment_until=w.comment_until.isoformat(),
        )
    )
    found = SA.read(engine(), user, person_id, month)
    show(found)
    own = user.person_id == person_id
    if own and w.writable:
        label = t("scorecards.assess.edit" if found else "scorecards.assess.write")
        with st.expander(label, icon=":material/edit_note:", expanded=found is None):
            if not form_ui.closed(f"sa_write_{month}", clear=WRITE_KEYS):
                write_form(user, month, found, lang)
    elif own and not w.writable and w.write_until < clock.today():
        st.caption(t("scorecards.assess.closed_note", month=month, until=w.write_until.isoformat()))
    if found and w.commentable and SA.can_comment(engine(), user, person_id):
        with st.expander(t("scorecards.assess.add_comment"), icon=":material/rate_review:"):
            if not form_ui.closed(f"sa_comment_{person_id}_{month}", clear=COMMENT_KEYS):
                comment_form(user, person_id, person, month, found, lang)


def error_text(exc: sc.selfassess.AssessmentError) -> str:
    """A refusal in words, the field named as the form labels it (every parameter inert for Markdown)."""
    params = dict(exc.params)
    if "field" in params:
        params["field"] = t(f"scorecards.assess.field.{params['field']}")
    return t(exc.key(), **{k: md_escape(v) for k, v in params.items()})


def _when(at: dt.datetime | None) -> str:
    return "—" if at is None else at.strftime("%Y-%m-%d %H:%M")


def show(found: SA.Assessment | None) -> None:
    if found is None:
        st.info(t("scorecards.assess.none"), icon=":material/edit_note:")
        return
    names = SA.display_names(engine(), {found.written_by, found.commented_by or found.written_by})
    for field in SA.FIELDS:
        st.markdown(f"**{t(f'scorecards.assess.field.{field}')}**")
        st.text(getattr(found, field))  # as typed: no Markdown, no HTML
    who = md_escape(names.get(found.written_by, found.written_by))
    st.caption(t("scorecards.assess.written", who=who, at=_when(found.written_at)))
    st.markdown(f"**{t('scorecards.assess.field.manager_comment')}**")
    if found.manager_comment:
        st.text(found.manager_comment)
        by = found.commented_by or ""
        st.caption(
            t("scorecards.assess.commented", who=md_escape(names.get(by, by)), at=_when(found.commented_at))
        )
    else:
        st.caption(t("scorecards.assess.no_comment"))


def write_form(user: CurrentUser, month: str, found: SA.Assessment | None, lang: str) -> None:
    with st.form(f"sa_write_form_{month}"):
        texts = {
            field: st.text_area(
                t(f"scorecards.assess.field.{field}"),
                value=getattr(found, field) if found else "",
                max_chars=SA.TEXT_MAX,
                key=f"sa_write_{field}_{month}",
            )
            for field in SA.FIELDS
        }
        if not st.form_submit_button(t("common.save"), type="primary"):
            return
    version = found.version if found else 0
    _submit(
        f"sa_write_{month}",
        lambda token: SA.save(engine(), user, month, texts, version, token=token),
        t("scorecards.assess.saved", month=month),
        WRITE_KEYS,
    )


def comment_form(
    user: CurrentUser, person_id: int, person: str, month: str, found: SA.Assessment, lang: str
) -> None:
    with st.form(f"sa_comment_form_{person_id}_{month}"):
        text = st.text_area(
            t("scorecards.assess.field.manager_comment"),
            value=found.manager_comment or "",
            max_chars=SA.TEXT_MAX,
            key=f"sa_comment_{person_id}_{month}",
        )
        if not st.form_submit_button(t("common.save"), type="primary"):
            return
    _submit(
        f"sa_comment_{person_id}_{month}",
        lambda token: SA.comment(engine(), user, person_id, month, text, found.version, token=token),
        t("scorecards.assess.comment_saved", person=md_escape(person), month=month),
        COMMENT_KEYS,
    )


def _submit(name: str, write: Callable[[str], None], saved: str, keys: tuple[str, ...]) -> None:
    """Run a form's write once; a refusal is shown and the form keeps what was typed."""
    try:
        form_ui.submit(name, write, lambda _r: saved, keys)
    except SA.AssessmentError as exc:
        st.error(error_text(exc))
    except forms.StaleEdit as exc:
        st.error(form_ui.stale_message(exc))
    else:
        st.rerun()
