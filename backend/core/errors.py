"""AppError hierarchy and the one JSON error envelope of API.md."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify
from marshmallow import ValidationError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException

from backend.core.messages import chinese_messages
from backend.extensions import db

log = logging.getLogger(__name__)


class AppError(Exception):
    status = 400
    code = "bad_request"
    message = "请求无效 (bad request)"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.code = code or self.code
        self.details = details or {}


class NotFound(AppError):
    status = 404
    code = "not_found"
    message = "未找到 (not found)"


class Forbidden(AppError):
    status = 403
    code = "forbidden"
    message = "无权执行此操作 (forbidden)"


class Conflict(AppError):
    status = 409
    code = "conflict"
    message = "与已有数据冲突 (conflict)"


class InvalidState(AppError):
    status = 409
    code = "invalid_state"
    message = "当前状态不允许此操作 (invalid state)"


class ValidationFailed(AppError):
    status = 422
    code = "validation_failed"
    message = "输入有误 (validation failed)"


class TooManyRequests(AppError):
    status = 429
    code = "too_many_requests"
    message = "请求过于频繁，请稍后再试 (too many requests)"


def error_response(status: int, code: str, message: str, details: dict | None = None):
    body = {"error": {"code": code, "message": message, "details": details or {}}}
    return jsonify(body), status


def _slug(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def field_errors(messages: Any) -> dict:
    """webargs nests messages by location ({"json": {...}}); the envelope wants fields, in Chinese."""
    return _by_field(chinese_messages(messages))


def _by_field(messages: Any) -> dict:
    if isinstance(messages, dict) and set(messages) <= {
        "json",
        "query",
        "form",
        "files",
        "headers",
        "view_args",
    }:
        merged: dict = {}
        for part in messages.values():
            merged.update(part if isinstance(part, dict) else {"_schema": part})
        return merged
    return messages if isinstance(messages, dict) else {"_schema": messages}


def http_exception_response(exc: HTTPException):
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    if messages is not None:
        return error_response(
            422,
            "validation_failed",
            "输入有误 (validation failed)",
            {"fields": field_errors(messages)},
        )
    if status == 429:
        return error_response(429, "too_many_requests", TooManyRequests.message)
    if status == 413:
        return error_response(413, "payload_too_large", "上传内容过大 (payload too large)")
    return error_response(status, _slug(type(exc).__name__), exc.description or "")


def _discard_unit_of_work() -> None:
    """A failed request saves nothing: roll back what its services flushed."""
    db.session.rollback()


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(AppError)
    def _app_error(exc: AppError):
        _discard_unit_of_work()
        return error_response(exc.status, exc.code, exc.message, exc.details)

    @app.errorhandler(ValidationError)
    def _validation(exc: ValidationError):
        _discard_unit_of_work()
        return error_response(
            422,
            "validation_failed",
            ValidationFailed.message,
            {"fields": field_errors(exc.messages)},
        )

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    @app.errorhandler(UnicodeEncodeError)
    def _out_of_range(exc: Exception):
        # A value the database cannot hold (huge number, NUL byte, lone surrogate) is bad input, not a crash.
        _discard_unit_of_work()
        return error_response(422, "value_out_of_range", "数值或文本超出允许范围 (value out of range)")

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        return http_exception_response(exc)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error")
        _discard_unit_of_work()
        return error_response(500, "internal_error", "服务器内部错误 (internal error)")
