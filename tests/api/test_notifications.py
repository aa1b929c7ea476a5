"""The inbox API and the outbound channels, checked at local receivers: WeCom and DingTalk
group robots and the SMS gateway (HTTP servers), and e-mail (a small SMTP server)."""

from __future__ import annotations

import email
import json
import socketserver
import threading
import urllib.parse
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from backend.core.clock import CHINA_TZ, utcnow
from backend.extensions import db
from backend.jobs.definitions import JOBS
from backend.jobs.runner import run_due
from backend.notifications.models import Notification, NotificationContact
from backend.notifications.services import Message, notify
from tests.conftest import auth

DELIVERY = [job for job in JOBS if job.name == "urgent_delivery"]
DIGEST = [job for job in JOBS if job.name == "daily_digest"]


def _message(user, key: str, urgent: bool = False) -> Message:
    return Message(user.id, "hazard.overdue", key, f"标题{key}", f"正文{key}", "/hazards/x", urgent=urgent)


# --- the inbox --------------------------------------------------------------------------------


def test_inbox_is_newest_first_with_the_unread_count(client, city):
    notify([_message(city.manager, "a"), _message(city.manager, "b"), _message(city.manager_x, "c")])
    db.session.commit()
    body = client.get("/api/notifications", headers=auth(city.manager)).json
    assert [n["title"] for n in body["items"]] == ["标题b", "标题a"]
    assert body["unread_count"] == 2 and body["total"] == 2
    assert set(body["items"][0]) >= {"id", "kind", "title", "body", "link", "created_at", "read_at"}


def test_marking_read_leaves_it_out_of_the_unread_list(client, city):
    notify([_message(city.manager, "a"), _message(city.manager, "b")])
    db.session.commit()
    first = client.get("/api/notifications", headers=auth(city.manager)).json["items"][1]
    response = client.post(f"/api/notifications/{first['id']}/read", headers=auth(city.manager))
    assert response.status_code == 200 and response.json["read_at"]
    unread = client.get("/api/notifications?unread=true", headers=auth(city.manager)).json
    assert [n["title"] for n in unread["items"]] == ["标题b"] and unread["unread_count"] == 1
    again = client.post(f"/api/notifications/{first['id']}/read", headers=auth(city.manager))
    assert again.json["read_at"] == response.json["read_at"]


def test_another_users_notification_is_404(client, city):
    notify([_message(city.manager_x, "c")])
    db.session.commit()
    other = db.session.scalars(select(Notification)).one()
    response = client.post(f"/api/notifications/{other.id}/read", headers=auth(city.manager))
    assert response.status_code == 404 and response.json["error"]["code"]
    assert db.session.get(Notification, other.id).read_at is None


def test_the_same_subject_and_period_is_added_once(client, city):
    assert notify([_message(city.manager, "a"), _message(city.manager, "a")]) == 1
    assert notify([_message(city.manager, "a"), _message(city.manager, "b")]) == 1
    db.session.commit()
    assert client.get("/api/notifications", headers=auth(city.manager)).json["total"] == 2


def test_inbox_pages(client, city):
    notify([_message(city.manager, str(n)) for n in range(25)])
    db.session.commit()
    second = client.get("/api/notifications?page=2&per_page=20", headers=auth(city.manager)).json
    assert len(second["items"]) == 5 and second["total"] == 25 and second["unread_count"] == 25


# --- local receivers -------------------------------------------------------------------------


class _Receiver(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _RobotHandler)
        self.received: list[dict] = []
        self.answer: dict = {"errcode": 0, "errmsg": "ok"}

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class _RobotHandler(BaseHTTPRequestHandler):
    server: _Receiver

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.received.append(
            {
                "path": url.path,
                "query": urllib.parse.parse_qs(url.query),
                "auth": self.headers.get("Authorization"),
                "body": body,
            }
        )
        answer = json.dumps(self.server.answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *_args) -> None:
        pass


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: EHLO, MAIL, RCPT, DATA, QUIT."""

    def handle(self) -> None:
        self.wfile.write(b"220 localhost ESMTP test\r\n")
        envelope: dict = {"to": []}
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command.split(" ", 1)[0].upper()
            if verb == "DATA":
                self.wfile.write(b"354 go ahead\r\n")
                data = b""
                while (chunk := self.rfile.readline()) != b".\r\n":
                    data += chunk
                envelope["message"] = email.message_from_bytes(data, policy=email_policy)
                self.server.received.append(envelope)  # type: ignore[attr-defined]
                envelope = {"to": []}
                self.wfile.write(b"250 queued\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                if verb == "RCPT":
                    envelope["to"].append(command.split(":", 1)[1].strip("<> "))
                self.wfile.write(b"250 ok\r\n")


class _SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.received: list[dict] = []


def _serve(server) -> Iterator:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def robots() -> Iterator[_Receiver]:
    yield from _serve(_Receiver())


@pytest.fixture
def smtp() -> Iterator[_SmtpServer]:
    yield from _serve(_SmtpServer())


@pytest.fixture
def channels(app, monkeypatch, robots, smtp):
    for name, value in {
        "NOTIFY_WECOM_WEBHOOK": robots.url("/cgi-bin/webhook/send?key=wecom-key"),
        "NOTIFY_DINGTALK_WEBHOOK": robots.url("/robot/send?access_token=ding-token"),
        "NOTIFY_DINGTALK_SECRET": "SEC-test",
        "NOTIFY_SMS_URL": robots.url("/sms"),
        "NOTIFY_SMS_TOKEN": "sms-token",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": smtp.server_address[1],
        "SMTP_FROM": "tzsb@example.cn",
    }.items():
        monkeypatch.setitem(app.config, name, value)


def _china(hour: int, minute: int = 0, days: int = 0) -> datetime:
    day = datetime.now(CHINA_TZ).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), CHINA_TZ)


@pytest.fixture
def clock(monkeypatch):
    """What the delivery jobs take as now (09:00 China time today unless a test moves it)."""
    moment = {"now": _china(9)}
    monkeypatch.setattr("backend.jobs.definitions.utcnow", lambda: moment["now"])
    return moment


def _contact(user, **values) -> None:
    db.session.add(NotificationContact(user_id=user.id, **({"email": "", "phone": ""} | values)))


def _by_path(robots: _Receiver) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for request in robots.received:
        found.setdefault(request["path"], []).append(request)
    return found


def test_an_urgent_notification_reaches_every_channel_once(city, channels, robots, smtp):
    _contact(city.manager, email="manager@example.cn", phone="13900001111")
    notify([_message(city.manager, "overdue", urgent=True)])
    db.session.commit()

    [run] = run_due(DELIVERY)
    assert (run.outcome, run.counts) == ("ok", {"sent": 1, "failed": 0})
    got = _by_path(robots)
    [wecom] = got["/cgi-bin/webhook/send"]
    assert wecom["query"]["key"] == ["wecom-key"]
    assert wecom["body"]["msgtype"] == "markdown" and "标题overdue" in wecom["body"]["markdown"]["content"]
    [ding] = got["/robot/send"]
    assert ding["body"]["msgtype"] == "markdown" and ding["body"]["markdown"]["title"] == "标题overdue"
    assert ding["query"]["access_token"] == ["ding-token"] and ding["query"]["sign"][0]
    [sms] = got["/sms"]
    assert sms["auth"] == "Bearer sms-token"
    assert sms["body"] == {
        "to": "13900001111",
        "template": "hazard.overdue",
        "text": "标题overdue：正文overdue",
    }
    [mail] = smtp.received
    assert mail["to"] == ["manager@example.cn"] and mail["message"]["Subject"] == "标题overdue"

    [again] = run_due(DELIVERY, now=utcnow() + timedelta(minutes=2))  # the next tick
    assert again.counts == {"sent": 0, "failed": 0}
    assert len(robots.received) == 3 and len(smtp.received) == 1


def test_a_refusing_robot_fails_the_run_and_the_next_tick_sends_again(city, channels, robots, smtp):
    robots.answer = {"errcode": 93000, "errmsg": "invalid webhook url"}
    notify([_message(city.manager, "overdue", urgent=True)])
    db.session.commit()
    [run] = run_due(DELIVERY)
    assert run.outcome == "failed" and "93000" in run.error
    assert db.session.scalars(select(Notification.delivered_at).where(Notification.urgent)).first() is None

    robots.answer = {"errcode": 0, "errmsg": "ok"}
    [retry] = run_due(DELIVERY)
    assert retry.outcome == "ok"
    assert (
        db.session.scalars(select(Notification).where(Notification.kind == "hazard.overdue"))
        .one()
        .delivered_at
    )


def test_the_daily_digest_mails_each_person_once_with_everything_new(city, channels, robots, smtp, clock):
    _contact(city.manager, email="manager@example.cn")
    notify([_message(city.manager, "a"), _message(city.manager, "b"), _message(city.manager_x, "c")])
    db.session.commit()

    [run] = run_due(DIGEST)
    assert run.outcome == "ok"
    [mail] = smtp.received
    assert mail["to"] == ["manager@example.cn"]
    assert mail["message"]["Subject"] == "特种设备安全提醒：2 条待办"
    assert "标题a" in mail["message"].get_content() and "标题b" in mail["message"].get_content()
    summaries = _by_path(robots)
    assert "2 人有新提醒" in summaries["/cgi-bin/webhook/send"][0]["body"]["markdown"]["content"]
    assert "/sms" not in summaries  # SMS only for urgent ones


def test_the_digest_goes_out_once_a_day_though_the_job_runs_hourly(city, channels, robots, smtp, clock):
    _contact(city.manager, email="manager@example.cn")
    notify([_message(city.manager, "a")])
    db.session.commit()
    clock["now"] = _china(7)
    assert [r.counts for r in run_due(DIGEST)] == [{"sent": 0, "failed": 0}]  # before 08:00
    clock["now"] = _china(8)
    run_due(DIGEST, now=utcnow() + timedelta(hours=1))
    notify([_message(city.manager, "later")])
    db.session.commit()
    clock["now"] = _china(9)
    run_due(DIGEST, now=utcnow() + timedelta(hours=2))
    assert len(smtp.received) == 1  # "later" waits for tomorrow's digest
    clock["now"] = _china(8, days=1)
    run_due(DIGEST, now=utcnow() + timedelta(hours=3))
    assert len(smtp.received) == 2 and "标题later" in smtp.received[1]["message"].get_content()


# --- preferences and quiet hours ----------------------------------------------------------------


def test_preferences_start_from_the_defaults_and_are_saved(client, city):
    got = client.get("/api/notifications/preferences", headers=auth(city.manager))
    assert got.status_code == 200
    assert got.json | {"categories": None} == {
        "email": "",
        "phone": "",
        "outbound": True,
        "mode": "digest",
        "quiet_start": "",
        "quiet_end": "",
        "channels": {},
        "categories": None,
    }
    assert "hazard" in got.json["categories"]
    body = {
        "email": "m@example.cn",
        "phone": "13900001111",
        "mode": "immediate",
        "quiet_start": "22:00",
        "quiet_end": "07:00",
        "channels": {"hazard": ["email"], "report": []},
    }
    put = client.put("/api/notifications/preferences", json=body, headers=auth(city.manager))
    assert put.status_code == 200, put.json
    again = client.get("/api/notifications/preferences", headers=auth(city.manager)).json
    assert again | {"categories": None} == body | {"outbound": True, "categories": None}
    other = client.get("/api/notifications/preferences", headers=auth(city.manager_x)).json
    assert other["email"] == ""


@pytest.mark.parametrize(
    "bad",
    [
        {"quiet_start": "25:00", "quiet_end": "07:00"},
        {"quiet_start": "22:00"},
        {"mode": "hourly"},
        {"channels": {"hazard": ["pager"]}},
        {"channels": {"weather": ["sms"]}},
        {"email": "not-an-address"},
    ],
)
def test_bad_preferences_are_422_and_change_nothing(client, city, bad):
    response = client.put("/api/notifications/preferences", json=bad, headers=auth(city.manager))
    assert response.status_code == 422 and response.json["error"]["code"]
    assert db.session.get(NotificationContact, city.manager.id) is None


def test_quiet_hours_hold_back_all_but_urgent_items_until_they_end(city, channels, robots, smtp, clock):
    _contact(
        city.manager,
        email="m@example.cn",
        phone="13900001111",
        mode="immediate",
        quiet_start="22:00",
        quiet_end="07:00",
    )
    notify([_message(city.manager, "soon"), _message(city.manager, "overdue", urgent=True)])
    db.session.commit()
    clock["now"] = _china(23, 30)
    [night] = run_due(DELIVERY)
    assert night.counts == {"sent": 1, "failed": 0}  # the urgent one only
    assert [m["message"]["Subject"] for m in smtp.received] == ["标题overdue"]
    clock["now"] = _china(7, 1, days=1)
    [morning] = run_due(DELIVERY, now=utcnow() + timedelta(minutes=2))
    assert morning.counts == {"sent": 1, "failed": 0}
    assert [m["message"]["Subject"] for m in smtp.received] == ["标题overdue", "标题soon"]
    assert len(_by_path(robots)["/cgi-bin/webhook/send"]) == 1  # groups get the urgent one only


def test_a_person_takes_each_kind_on_the_channels_they_chose(city, channels, robots, smtp, clock):
    _contact(city.manager, email="m@example.cn", phone="13900001111", channels={"hazard": ["email"]})
    notify([_message(city.manager, "overdue", urgent=True)])
    notify([Message(city.manager.id, "notice.issued", "n1", "文书", "请整改", "/", urgent=True)])
    db.session.commit()
    run_due(DELIVERY)
    assert [s["body"]["template"] for s in _by_path(robots)["/sms"]] == ["notice.issued"]
    assert sorted(m["message"]["Subject"] for m in smtp.received) == ["文书", "标题overdue"]
