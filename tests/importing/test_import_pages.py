"""Upload and people pages under AppTest: who can open them, what they show, phone masking."""

from __future__ import annotations

from import_helpers import DOUYIN, sample_bytes

from lib.importing import pipeline
from lib.importing.people import mask_phone


def test_staff_can_open_upload(run_page):
    at = run_page("upload", "staff")
    assert not at.exception
    assert at.title[0].value == "数据上传"
    assert [s.value for s in at.subheader] == ["上传记录"]
    assert not at.button  # no undo for staff, no files yet


def test_upload_page_history_and_undo_for_manager(engine, users, run_page):
    report = pipeline.import_bytes(engine, sample_bytes(DOUYIN), DOUYIN, username=users["staff"])
    at = run_page("upload", "manager", lang="en")
    assert not at.exception
    history = at.dataframe[0].value
    assert list(history["File"]) == [DOUYIN] and list(history["Inserted"]) == [14]
    assert at.selectbox(key="undo_pick").value == report.batch_id
    at.button(key="undo_button").click().run()
    assert not at.exception
    assert at.success[0].value == "Undone: 14 rows deleted, 0 rows restored."
    staff = run_page("upload", "staff")
    assert len(staff.selectbox) == 0


def test_upload_page_requires_login(run_page):
    at = run_page("upload")
    assert not at.exception
    assert "请先登录" in at.warning[0].value
    assert not at.dataframe


def _roster(engine):
    from import_helpers import ROSTER

    assert pipeline.import_bytes(engine, sample_bytes(ROSTER), ROSTER, username="t").ok


def test_people_phone_masked_for_staff_and_manager(engine, run_page):
    _roster(engine)
    for role in ("staff", "manager"):
        at = run_page("people", role)
        assert not at.exception
        table = at.dataframe[0].value
        phones = dict(zip(table["姓名"], table["手机号"], strict=True))
        assert phones["林晓雨"] == "138****5678" and phones["韩雪"] == "130****2222"
        assert not any("12345678" in p for p in phones.values())
        assert len(at.text_input) == 0  # no host-account editor


def test_people_admin_sees_phones_and_edits_host_accounts(engine, run_page):
    _roster(engine)
    at = run_page("people", "admin")  # zh: AppTest formats selectbox options in the test process (zh)
    assert not at.exception
    table = at.dataframe[0].value
    assert dict(zip(table["姓名"], table["手机号"], strict=True))["林晓雨"] == "13812345678"
    at.selectbox[0].select_index(0)
    at.selectbox[1].set_value("taobao")
    at.text_input[0].input("tb_jiayi")
    at.button[0].click().run()
    assert not at.exception
    assert at.success[0].value == "已添加。"
    accounts = at.dataframe[1].value
    assert list(accounts["平台"]) == ["淘宝"] and list(accounts["昵称或账号"]) == ["tb_jiayi"]
    table = at.dataframe[0].value
    assert sorted(table["平台账号"]) == [0] * 19 + [1]


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+8613812345678") == "+86138****5678"
    assert mask_phone("12345") == "***45"
    assert mask_phone(None) is None
