"""Exceptions routes raise; `app.py` maps each to an HTML page or a JSON error body."""

from __future__ import annotations


class WebError(Exception):
    status = 500

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class LoginRequired(WebError):
    status = 401


class Forbidden(WebError):
    status = 403


class NotFound(WebError):
    status = 404


class BadRequest(WebError):
    status = 400


class TooManyAttempts(WebError):
    status = 429
