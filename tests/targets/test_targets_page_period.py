"""Issue 20: the targets page sets, edits and deletes period targets (write-once, the version the editor
saw, clear messages), and a host target's person list offers hosts only."""

from __future__ import annotations

from lib import targets as tg

HOSTS = {"林晓雨", "陈子墨", "王欣然", "赵一鸣", "孙佳怡", "周俊杰"}


def _rows(engine):
    return [
        (r.metric, r.period, r.scope_kind, r.scope_value, r.value, r.set_by)
        for r in tg.load_period_targets(engine)
    ]


def test_person_lists_offer_hosts_only(run_page, truth, clock_at):
    clock_at("2026-12-07T08:30")
    at = run_page("targets", "manager")
    at.selectbox(key="ptarget_scope").set_value("person").run()
    assert not at.exception
    assert (
        set(at.selectbox(key="ptarget_scope_value_person").options) == HOSTS
    )  # not 韩雪 (客服), 高远 (数据分析)
    at.selectbox(key="targets_scope_kind").set_value("person").run()  # the per-session targets' list too
    assert set(at.selectbox(key="targets_scope_value").options) == HOSTS


def test_set_a_period_target_then_edit_and_delete_it(run_page, truth, engine, clock_at):
    clock_at("2026-12-07T08:30")
    lin = str(truth["people"]["林晓雨"])
    at = run_page("targets", "manager")
    at.selectbox(key="ptarget_kind").set_value("2026-12")
    at.selectbox(key="ptarget_metric").set_value("gmv")
    at.selectbox(key="ptarget_scope").set_value("person").run()
    at.selectbox(key="ptarget_scope_value_person").set_value(lin)
    at.number_input(key="ptarget_value").set_value(0.0)
    at.button(key="ptarget_submit").click().run()
    assert not at.exception and "必须大于 0" in at.error[0].value  # says what is wrong, nothing stored
    assert _rows(engine) == []
    at.number_input(key="ptarget_value").set_value(500_000.0)
    at.button(key="ptarget_submit").click().run()
    assert not at.exception and not at.error
    assert _rows(engine) == [("gmv", "2026-12", "person", lin, 500_000, "t_manager")]
    table = at.dataframe[0].value  # the month's period targets, names not ids
    assert list(table["范围对象"]) == ["林晓雨"] and list(table["目标值"]) == ["¥500,000"]
    assert list(table["周期"]) == ["2026-12 月目标"]
    # edit: from the version seen; someone else's change meanwhile is refused, naming them
    at.number_input(key="ptarget_new_value").set_value(650_000.0)
    [row] = tg.load_period_targets(engine)
    tg.set_period_target(engine, "t_admin", "gmv", "2026-12", "person", lin, 550_000, expected=row.version)
    at.button(key="ptarget_update").click().run()
    assert at.error and "t_admin" in at.error[0].value.replace("\\", "")
    assert _rows(engine)[0][4] == 550_000
    at.button(key="ptarget_update").click().run()  # again: a deliberate replacement
    assert not at.error and _rows(engine)[0][4:] == (650_000, "t_manager")
    # delete, only once ticked
    at = run_page("targets", "manager")
    assert at.button(key="ptarget_delete").disabled
    at.checkbox(key="ptarget_confirm").check().run()
    at.button(key="ptarget_delete").click().run()
    assert not at.exception and _rows(engine) == []
    assert at.success


def test_quarter_target_and_english(run_page, truth, engine, clock_at, monkeypatch):
    clock_at("2026-11-07T08:30")
    at = run_page("targets", "admin", lang="en")
    # a select box's labels are formatted again by the test, outside a run: in English too
    monkeypatch.setattr("lib.web.i18n.current_language", lambda: "en")
    at.selectbox(key="ptarget_kind").set_value("2026-Q4")
    at.selectbox(key="ptarget_metric").set_value("sessions")
    at.selectbox(key="ptarget_scope").set_value("platform").run()
    at.selectbox(key="ptarget_scope_value_platform").set_value("douyin")
    at.number_input(key="ptarget_value").set_value(360.0)
    at.button(key="ptarget_submit").click().run()
    assert not at.exception and "Saved" in at.success[0].value
    assert _rows(engine) == [("sessions", "2026-Q4", "platform", "douyin", 360, "t_admin")]
    assert list(at.dataframe[0].value["Period"]) == ["2026-Q4 quarterly target"]
