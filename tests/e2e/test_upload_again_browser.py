"""Browser: the same file uploaded again says so before commit (a note naming the earlier batch), and its
commit writes no empty batch (issue 20)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from lib import importing
from lib.core.models import ImportBatch
from tests.conftest import SAMPLES
from tests.e2e.conftest import ARTIFACTS, arrive_logged_in, go_to, no_exception

pytestmark = pytest.mark.e2e
KUAISHOU = SAMPLES / "kuaishou_2026-11-02_2026-11-08.xlsx"


def test_the_same_file_again_on_the_upload_page(engine, database_url, users, start_server, page):
    first = importing.import_bytes(engine, KUAISHOU.read_bytes(), KUAISHOU.name, username=users["manager"])
    assert first.batch_id is not None
    server = start_server(database_url, env={"LIVEOPS_COOKIE_KEY": "upload-e2e-cookie-key-" + "a" * 32})
    arrive_logged_in(page, server, users["staff"])
    go_to(page, "数据上传")
    page.wait_for_selector("h1:has-text('数据上传')")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(KUAISHOU))
    expect(page.get_by_text("1 条核对提示（不影响导入）：")).to_be_visible(timeout=30_000)
    no_exception(page)
    for width, height in ((390, 844), (1440, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(ARTIFACTS / f"upload_again_preview_{width}.png"), full_page=True)
    page.get_by_role("button", name="提交导入").click()
    info = page.locator('[data-testid="stAlertContentInfo"]', has_text="没有写入")
    expect(info).to_contain_text("9 行与已导入的数据相同，未新建批次。", timeout=30_000)
    no_exception(page)
    for width, height in ((390, 844), (1440, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(ARTIFACTS / f"upload_again_report_{width}.png"), full_page=True)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(ImportBatch)).scalar() == 1
