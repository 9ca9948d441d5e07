import streamlit as st

from lib.web.ui import guard

user = guard("incidents")

from lib import incidents as inc  # noqa: E402
from lib.web import category_name, current_language, form_ui, now  # noqa: E402
from lib.web.i18n import t  # noqa: E402
from lib.web.incidents_view import (  # noqa: E402
    moment_input,
    optional_select,
    save,
    time_input,
)
from lib.web.ui import engine, link_to, show_flash  # noqa: E402

st.title(t("nav.incidents"))
show_flash()
# The detection time defaults to "now" to the minute, frozen for each form so edits survive reruns (reset
# after a save); responded and resolved start empty.
form_now = st.session_state.setdefault("inc_form_now", now().replace(second=0))
link_minutes = int(inc.SESSION_LINK_AFTER_END.total_seconds() // 60)
choices = inc.form_choices(engine(), user.person_id, now())


def render_new() -> None:
    category = st.selectbox(
        t("incidents.form.category"),
        choices["categories"],
        format_func=lambda c: category_name(c, current_language()),
        key="inc_category",
    )
    severity = st.radio(
        t("incidents.form.severity"),
        inc.SEVERITIES,
        format_func=lambda s: t(f"incidents.severity.{s}"),
        horizontal=True,
        key="inc_severity",
    )
    for hint in inc.present.sla_hints(inc.sla_lookup(engine(), category, severity), current_language()):
        st.caption(hint)
    session_id = optional_select(
        "incidents.form.session",
        choices["sessions"],
        choices["default_session"],
        "inc_session",
        help=t("incidents.form.session_help", minutes=link_minutes),
    )
    detected = time_input("incidents.form.detected", "inc_detected", form_now)
    # Responded and resolved are moments someone records: empty until the handler sets them.
    responded = moment_input("incidents.form.responded", "inc_responded")
    resolved = moment_input("incidents.form.resolved", "inc_resolved")
    department = optional_select(
        "incidents.form.department", choices["departments"], choices["default_department"], "inc_department"
    )
    handler = optional_select(
        "incidents.form.handler", choices["people"], choices["default_handler"], "inc_handler"
    )
    description = st.text_area(t("incidents.form.description"), key="inc_description", height=80)
    reason = st.text_input(t("incidents.form.reason"), key="inc_reason")
    escalated = st.checkbox(t("incidents.form.escalated"), key="inc_escalated")
    meeting = None
    if severity == "major" and st.toggle(t("incidents.form.has_meeting"), key="inc_has_meeting"):
        meeting = time_input("incidents.form.meeting", "inc_meeting", form_now)
    if st.button(t("incidents.form.save"), type="primary", width="stretch", key="inc_save"):
        data = inc.IncidentInput(
            category=category,
            severity=severity,
            detected_at=detected,
            responded_at=responded,
            resolved_at=resolved,
            session_id=session_id,
            owner_department_id=department,
            handler_person_id=handler,
            description=description,
            overtime_reason=reason,
            escalated=escalated,
            meeting_at=meeting,
        )
        save(
            "incident",
            lambda tok: inc.create_incident(engine(), data, user.username, token=tok),
            "incidents.form.saved",
            ("inc_",),
        )


def render_update() -> None:
    opened = inc.incidents_to_update(engine())  # open ones, then resolved over SLA without a reason
    if not opened:
        st.info(t("incidents.form.no_open"), icon=":material/info:")
        return
    by_id = {o["id"]: o for o in opened}
    pick = st.selectbox(
        t("incidents.form.pick_open"),
        list(by_id),
        format_func=lambda i: inc.present.open_label(by_id[i], current_language()),
        key="upd_pick",
    )
    cur = by_id[pick]
    st.caption(inc.present.known_times(cur, current_language()))
    upd_responded = cur["responded_at"] or moment_input("incidents.form.responded", f"upd_responded_{pick}")
    upd_resolved = cur["resolved_at"] or moment_input("incidents.form.resolved", f"upd_resolved_{pick}")
    upd_reason = st.text_input(t("incidents.form.reason"), key=f"upd_reason_{pick}")
    if st.button(t("incidents.form.update_button"), type="primary", width="stretch", key="upd_save"):
        save(
            "incident_update",
            lambda tok: (
                inc.update_incident(
                    engine(),
                    pick,
                    user.username,
                    responded_at=upd_responded,
                    resolved_at=upd_resolved,
                    overtime_reason=upd_reason or None,
                    token=tok,
                )
                or pick
            ),
            "incidents.form.updated",
            ("upd_",),
        )


tab_new, tab_update = st.tabs([t("incidents.form.new"), t("incidents.form.update")])
with tab_new:
    # Closed after a save (a late second tap finds no button); "fill in another" opens an empty form.
    if not form_ui.closed("incident", clear=("inc_",)):
        render_new()
with tab_update:
    if not form_ui.closed("incident_update", clear=("upd_",)):
        render_update()

link_to("settings", "settings.sla.moved", user.role)  # categories and SLAs: the admin's settings page
