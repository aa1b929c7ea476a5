"""Every download works through the shipped server (gunicorn), Chinese file names included.

The Flask test client never checks headers: a raw Chinese name in Content-Disposition passed every
API test while gunicorn refused to send it ("Invalid HTTP Header"). So these requests go through a
real gunicorn on loopback, serving a fresh SQLite database with the demo city, read by http.client.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from openpyxl import load_workbook
from PIL import Image

from backend.core.clock import today
from backend.core.images import sha256_hex
from backend.reports.rules import month_due

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "demo-password-1"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self):
        return json.loads(self.body)


class Server:
    def __init__(self, port: int) -> None:
        self.port = port
        self.tokens: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        *,
        user: str | None = None,
        body: object = None,
        raw: bytes | None = None,
        content_type: str = "application/json",
    ) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Authorization": f"Bearer {self.token(user)}"} if user else {}
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        if data is not None:
            headers["Content-Type"] = content_type
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read())
        finally:
            connection.close()

    def token(self, user: str) -> str:
        if user not in self.tokens:
            answer = self.request("POST", "/api/auth/login", body={"username": user, "password": PASSWORD})
            assert answer.status == 200, answer.body
            self.tokens[user] = answer.json()["access_token"]
        return self.tokens[user]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(server: Server, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited before serving"
        try:
            if server.request("GET", "/api/health").status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not answer /api/health within 60 s")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    """One demo server for the module (as scripts/e2e-server.sh starts it for the browser tests)."""
    instance = tmp_path_factory.mktemp("gunicorn-instance")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    env |= {
        "SESV_INSTANCE_DIR": str(instance),
        "RATELIMIT_ENABLED": "0",
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    for command in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: S603
    log = (instance / "gunicorn.log").open("wb")
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "app:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Server(port)
    try:
        _wait_until_up(server, process)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


# --- what a download must look like -------------------------------------------------------------


def assert_download(answer: Answer, content_type: str, name: str | re.Pattern) -> str:
    """200, the type, an ASCII fallback and a filename* that decodes to the (Chinese) name."""
    assert answer.status == 200, answer.body[:300]
    assert answer.headers.get_content_type() == content_type
    disposition = answer.headers["Content-Disposition"]
    assert disposition.isascii()
    assert re.search(r'^(inline|attachment); filename="[\x20-\x7e]+"', disposition), disposition
    encoded = re.search(r"filename\*=UTF-8''([^;\s]+)", disposition)
    assert encoded, disposition
    filename = unquote(encoded.group(1), errors="strict")
    if isinstance(name, str):
        assert filename == name
    else:
        assert name.fullmatch(filename), filename
    return filename


def assert_pdf(body: bytes) -> None:
    assert body.startswith(b"%PDF-")
    assert b"%%EOF" in body[-1024:]


def assert_xlsx(body: bytes, first_heading: str) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert sheet.cell(row=1, column=1).value == first_heading


# --- the demo objects the downloads are about ---------------------------------------------------


@pytest.fixture(scope="module")
def manager_device(server: Server) -> dict:
    devices = server.request("GET", "/api/devices?per_page=1", user="manager1").json()["items"]
    return devices[0]


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def hazard(server: Server, manager_device: dict) -> dict:
    """A hazard manager1 reports on his device, with a photo."""
    photo = _jpeg()
    sha = sha256_hex(photo)
    put = server.request("PUT", f"/api/photos/{sha}", user="manager1", raw=photo, content_type="image/jpeg")
    assert put.status in (200, 201), put.body
    body = {
        "id": str(uuid.uuid4()),
        "device_id": manager_device["id"],
        "category": "电梯",
        "severity": "general",
        "description": "层门锁回路短接",
        "photos": [sha],
    }
    created = server.request("POST", "/api/hazards", user="manager1", body=body)
    assert created.status == 201, created.body
    return created.json()


def _this_month() -> str:
    return today().strftime("%Y-%m")


# --- the downloads ------------------------------------------------------------------------------


def test_monthly_report_xlsx_of_the_city_downloads(server):
    month = _this_month()
    answer = server.request("GET", f"/api/reports/monthly.xlsx?month={month}", user="admin")
    assert_download(answer, XLSX, f"工作小结-全市-{month}.xlsx")
    assert_xlsx(answer.body, "类别")


def test_monthly_report_pdf_of_a_zone_downloads(server):
    month = _this_month()
    zone = server.request("GET", "/api/zones", user="admin").json()["items"][0]
    answer = server.request(
        "GET", f"/api/reports/monthly.pdf?month={month}&zone_id={zone['id']}", user="admin"
    )
    assert_download(answer, "application/pdf", f"工作小结-{zone['name']}-{month}.pdf")
    assert_pdf(answer.body)


@pytest.fixture(scope="module")
def submitted_report(server: Server) -> dict:
    """inspector1's zone submits last month's report (工作小结), freezing it."""
    month = month_due(today())
    live = server.request("GET", f"/api/reports/monthly?month={month}", user="inspector1").json()
    body = {
        "month": month,
        "zone_id": live["zone_id"],
        "summary": "经验：区块互查全覆盖",
        "problems": "问题：超期未检",
        "next_steps": "建议：统一口径",
    }
    answer = server.request("POST", "/api/reports/monthly/submit", user="inspector1", body=body)
    assert answer.status == 201, answer.body
    return answer.json()


@pytest.mark.parametrize(("ext", "content_type"), [("xlsx", XLSX), ("pdf", "application/pdf")])
def test_submitted_monthly_report_downloads_frozen(server, submitted_report, ext, content_type):
    report = submitted_report
    answer = server.request("GET", f"/api/reports/monthly.{ext}?month={report['month']}", user="inspector1")
    assert_download(answer, content_type, f"工作小结-{report['zone_name']}-{report['month']}.{ext}")
    if ext == "pdf":
        assert_pdf(answer.body)
    else:
        assert_xlsx(answer.body, "类别")
        rows = list(load_workbook(io.BytesIO(answer.body)).active.iter_rows(values_only=True))
        assert ("工作小结", "存在问题", "问题：超期未检") in rows


@pytest.mark.parametrize(("fmt", "content_type"), [("xlsx", XLSX), ("csv", "text/csv")])
def test_two_lists_export_downloads(server, fmt, content_type):
    answer = server.request("GET", f"/api/enterprises/two-lists?format={fmt}", user="admin")
    assert_download(answer, content_type, f"两项清单.{fmt}")
    if fmt == "xlsx":
        assert_xlsx(answer.body, "企业名称")
    else:
        assert answer.body.decode("utf-8-sig").startswith("企业名称,")


def test_device_label_png_downloads(server, manager_device):
    answer = server.request("GET", f"/api/devices/{manager_device['id']}/label.png", user="manager1")
    assert_download(answer, "image/png", f"设备标签-{manager_device['registration_no']}.png")
    assert Image.open(io.BytesIO(answer.body)).format == "PNG"


def test_device_qr_svg_downloads(server, manager_device):
    answer = server.request("GET", f"/api/devices/{manager_device['id']}/label.svg", user="manager1")
    assert_download(answer, "image/svg+xml", f"设备二维码-{manager_device['registration_no']}.svg")
    assert b"<svg" in answer.body


def test_enterprise_label_sheet_downloads(server, manager_device):
    enterprise_id = manager_device["enterprise_id"]
    enterprise = server.request("GET", f"/api/enterprises/{enterprise_id}", user="manager1").json()
    sheet = f"/api/enterprises/{enterprise_id}/labels.pdf?device_ids={manager_device['id']}"
    answer = server.request("GET", sheet, user="manager1")
    assert_download(answer, "application/pdf", f"{enterprise['name']} 特种设备二维码标签.pdf")
    assert_pdf(answer.body)


def test_notice_pdf_downloads_under_its_number(server, hazard):
    body = {
        "kind": "rectification",
        "enterprise_id": hazard["enterprise_id"],
        "hazard_ids": [hazard["id"]],
        "deadline": (today() + timedelta(days=10)).isoformat(),
    }
    issued = server.request("POST", "/api/notices", user="inspector1", body=body)
    assert issued.status == 201, issued.body
    notice = issued.json()
    answer = server.request("GET", f"/api/notices/{notice['id']}.pdf", user="manager1")
    filename = assert_download(answer, "application/pdf", f"{notice['number']}.pdf")
    assert not filename.isascii()
    assert_pdf(answer.body)


def test_hazard_photo_downloads_under_its_hash(server, hazard):
    seen = server.request("GET", f"/api/hazards/{hazard['id']}", user="manager1").json()
    sha = seen["photos"][0]["sha256"]
    for key, name in (("url", f"{sha}.jpg"), ("thumbnail_url", f"{sha}-thumb.jpg")):
        link = urlsplit(seen["photos"][0][key])
        answer = server.request("GET", f"{link.path}?{link.query}")
        assert_download(answer, "image/jpeg", name)
        assert Image.open(io.BytesIO(answer.body)).format == "JPEG"


def test_random_inspection_plan_pdf_downloads_under_its_title(server):
    zone = server.request("GET", "/api/zones", user="inspector1").json()["items"][0]
    body = {
        "zone_id": zone["id"],
        "period_start": today().isoformat(),
        "period_end": (today() + timedelta(days=30)).isoformat(),
        "size": 10,
        "seed": 7,
    }
    drawn = server.request("POST", "/api/plans", user="inspector1", body=body)
    assert drawn.status == 201, drawn.body
    plan = drawn.json()
    answer = server.request("GET", f"/api/plans/{plan['id']}.pdf", user="inspector1")
    filename = assert_download(answer, "application/pdf", f"{plan['title']}.pdf")
    assert not filename.isascii()
    assert_pdf(answer.body)


@pytest.fixture(scope="module")
def failed_check(server: Server, manager_device: dict) -> dict:
    """A daily self-check manager1 submits on his device: one item failed, with a photo."""
    category = manager_device["category"]
    templates = server.request("GET", f"/api/checklist-templates?code=device_{category}", user="manager1")
    template = templates.json()["items"][0]
    photo = _jpeg()
    sha = sha256_hex(photo)
    put = server.request("PUT", f"/api/photos/{sha}", user="manager1", raw=photo, content_type="image/jpeg")
    assert put.status in (200, 201), put.body
    codes = [item["code"] for section in template["sections"] for item in section["items"]]
    items = [{"code": code, "result": "pass"} for code in codes[1:]]
    items.insert(0, {"code": codes[0], "result": "fail", "note": "安全阀铅封缺失", "photos": [sha]})
    body = {
        "id": str(uuid.uuid4()),
        "kind": "self_check",
        "subkind": "daily",
        "template_id": template["id"],
        "device_id": manager_device["id"],
        "signed_by": "张安全",
        "items": items,
    }
    created = server.request("POST", "/api/checks", user="manager1", body=body)
    assert created.status == 201, created.body
    return created.json()


def test_check_record_pdf_downloads_with_its_photo(server, failed_check):
    check = failed_check
    answer = server.request("GET", f"/api/checks/{check['id']}.pdf", user="manager1")
    name = f"检查记录-{check['performed_on']}-{check['id'][:8]}.pdf"
    assert_download(answer, "application/pdf", name)
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    assert_pdf(answer.body)
    assert b"/Subtype /Image" in answer.body  # the failed item's photo is printed


def test_device_attachment_downloads_as_uploaded(server, manager_device):
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    boundary = "sesv-boundary"
    form = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\ncertificate\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\n产品合格证\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + pdf
        + f"\r\n--{boundary}--\r\n".encode()
    )
    path = f"/api/devices/{manager_device['id']}/attachments"
    content_type = f"multipart/form-data; boundary={boundary}"
    uploaded = server.request("POST", path, user="manager1", raw=form, content_type=content_type)
    assert uploaded.status in (200, 201), uploaded.body
    attachment = uploaded.json()
    answer = server.request("GET", attachment["url"], user="manager1")
    assert_download(answer, "application/pdf", f"产品合格证-{attachment['id']}.pdf")
    assert answer.headers["Content-Security-Policy"] == "sandbox"
    assert answer.body == pdf


@pytest.mark.parametrize(
    ("path", "user", "name", "first_heading"),
    [
        ("/api/devices.xlsx?category=elevator", "manager1", "设备台账", "使用登记证编号"),
        ("/api/hazards.xlsx?open=true", "inspector1", "隐患清单", "发现日期"),
        ("/api/checks.xlsx?kind=self_check", "manager1", "检查记录", "检查日期"),
    ],
    ids=["devices", "hazards", "checks"],
)
def test_ledger_xlsx_downloads(server, path, user, name, first_heading):
    answer = server.request("GET", path, user=user)
    assert_download(answer, XLSX, f"{name}-{today().isoformat()}.xlsx")
    assert_xlsx(answer.body, first_heading)


def test_device_ledger_xlsx_holds_the_filtered_list(server):
    listed = server.request("GET", "/api/devices?category=elevator&per_page=100", user="manager1").json()
    answer = server.request("GET", "/api/devices.xlsx?category=elevator", user="manager1")
    openpyxl = pytest.importorskip("openpyxl")
    sheet = openpyxl.load_workbook(io.BytesIO(answer.body)).active
    numbers = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(numbers) == listed["total"]
    assert {d["registration_no"] for d in listed["items"]} <= set(numbers)
    assert {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"电梯"}


def test_import_template_downloads(server):
    answer = server.request("GET", "/api/devices/import/template.xlsx", user="manager1")
    assert_download(answer, XLSX, "设备台账导入模板.xlsx")
    assert_xlsx(answer.body, "统一社会信用代码")


def test_every_file_response_is_named_through_the_one_helper():
    """A view that sets Content-Disposition by hand would miss the RFC 6266 encoding."""
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "backend").rglob("*.py")
        if "Content-Disposition" in path.read_text(encoding="utf-8")
        and path != ROOT / "backend" / "core" / "downloads.py"
    ]
    assert offenders == []
