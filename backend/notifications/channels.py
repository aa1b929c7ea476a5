"""Outbound channels, configured by the bureau through the environment (README, "Jobs and
notifications"): WeCom and DingTalk group robots, SMTP e-mail, and an HTTP SMS gateway.
Each sender raises ChannelError when the far end refuses; nothing here touches the database."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage

TIMEOUT_SECONDS = 10


class ChannelError(Exception):
    """The channel did not accept the message."""


@dataclass(frozen=True)
class Channels:
    wecom_webhook: str = ""
    dingtalk_webhook: str = ""
    dingtalk_secret: str = ""
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = ""
    smtp_starttls: bool = False
    sms_url: str = ""
    sms_token: str = ""

    @classmethod
    def from_config(cls, config) -> Channels:
        return cls(
            wecom_webhook=config.get("NOTIFY_WECOM_WEBHOOK", ""),
            dingtalk_webhook=config.get("NOTIFY_DINGTALK_WEBHOOK", ""),
            dingtalk_secret=config.get("NOTIFY_DINGTALK_SECRET", ""),
            smtp_host=config.get("SMTP_HOST", ""),
            smtp_port=int(config.get("SMTP_PORT", 25)),
            smtp_user=config.get("SMTP_USER", ""),
            smtp_password=config.get("SMTP_PASSWORD", ""),
            smtp_from=config.get("SMTP_FROM", ""),
            smtp_starttls=bool(config.get("SMTP_STARTTLS", False)),
            sms_url=config.get("NOTIFY_SMS_URL", ""),
            sms_token=config.get("NOTIFY_SMS_TOKEN", ""),
        )

    def post_to_groups(self, title: str, text: str) -> None:
        """A markdown message to every configured group robot."""
        if self.wecom_webhook:
            send_wecom(self.wecom_webhook, title, text)
        if self.dingtalk_webhook:
            send_dingtalk(self.dingtalk_webhook, self.dingtalk_secret, title, text)

    def email(self, to: str, subject: str, text: str) -> None:
        if self.smtp_host and to:
            send_email(self, to, subject, text)

    def sms(self, to: str, kind: str, text: str) -> None:
        if self.sms_url and to:
            send_sms(self.sms_url, self.sms_token, to, kind, text)


def _post_json(url: str, body: dict, headers: dict | None = None) -> dict:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ChannelError(f"not an http(s) URL: {url[:40]}")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url,
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            raw = response.read()
    except OSError as exc:  # URLError, HTTPError, timeouts
        raise ChannelError(f"{urllib.parse.urlsplit(url).netloc}: {exc}") from exc
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        return {}


def _robot_answer(name: str, answer: dict) -> None:
    """Both robots answer HTTP 200 with {"errcode": 0, "errmsg": "ok"} when they accept."""
    if answer.get("errcode", 0) != 0:
        raise ChannelError(f"{name}: {answer.get('errcode')} {answer.get('errmsg', '')}")


def send_wecom(webhook: str, title: str, text: str) -> None:
    """企业微信群机器人: POST {"msgtype":"markdown","markdown":{"content":…}} (≤ 4096 bytes)."""
    content = f"**{title}**\n{text}".encode()[:4000].decode(errors="ignore")
    _robot_answer("wecom", _post_json(webhook, {"msgtype": "markdown", "markdown": {"content": content}}))


def send_dingtalk(webhook: str, secret: str, title: str, text: str) -> None:
    """钉钉群机器人: POST {"msgtype":"markdown","markdown":{"title","text"}}; with a signing
    secret the URL carries timestamp and sign = base64(HMAC-SHA256(secret, "ts\\nsecret"))."""
    url = webhook
    if secret:
        timestamp = str(round(time.time() * 1000))
        digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
        sign = urllib.parse.quote_plus(base64.b64encode(digest))
        url = f"{webhook}{'&' if '?' in webhook else '?'}timestamp={timestamp}&sign={sign}"
    body = {"msgtype": "markdown", "markdown": {"title": title, "text": f"#### {title}\n{text}"}}
    _robot_answer("dingtalk", _post_json(url, body))


def send_email(channels: Channels, to: str, subject: str, text: str) -> None:
    message = EmailMessage()
    message["From"] = channels.smtp_from or channels.smtp_user
    message["To"] = to
    message["Subject"] = subject
    message.set_content(text)
    try:
        with smtplib.SMTP(channels.smtp_host, channels.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
            if channels.smtp_starttls:
                smtp.starttls()
            if channels.smtp_user:
                smtp.login(channels.smtp_user, channels.smtp_password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise ChannelError(f"smtp {channels.smtp_host}: {exc}") from exc


def send_sms(url: str, token: str, to: str, kind: str, text: str) -> None:
    """The SMS gateway interface (README): POST {"to","template","text"} with a bearer token;
    any 2xx with {"ok": true} (or an empty body) is accepted."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = _post_json(url, {"to": to, "template": kind, "text": text[:300]}, headers)
    if answer.get("ok", True) is not True:
        raise ChannelError(f"sms: {answer.get('error', 'refused')}")
