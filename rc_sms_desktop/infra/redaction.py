"""Masks secrets in text before it reaches a log, a crash report or an error dialog.

Two layers, because key-name scrubbing alone misses secrets inside free text (an exception
message, a URL, a repr):

* shapes: ``Bearer``/``Basic`` credentials, ``access_token=…``-style form, query and JSON
  fields, and anything shaped like a JWT;
* values: every secret the app handles (tokens, client secret, JWT, auth code, PKCE verifier)
  is registered with :func:`register_secret` as soon as it exists, and any occurrence of it
  (raw or percent-encoded) is masked wherever it appears.

:class:`RedactingFilter` applies :func:`redact` to log records; attach it to every handler
(a filter on a logger does not see records propagated from child loggers).

:class:`Secret` carries a secret value through the code so that a repr, an f-string or an
exception message built from it shows a mask, not the value.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
from typing import Any, NoReturn, final
from urllib.parse import quote, quote_plus

__all__ = ["MASK", "RedactingFilter", "Secret", "redact", "register_secret"]

MASK = "***"

# Field names whose values are secret in OAuth form bodies, query strings and JSON bodies.
_SECRET_FIELDS = (
    "access_token",
    "refresh_token",
    "id_token",
    "token",
    "code",
    "code_verifier",
    "assertion",
    "client_assertion",
    "client_secret",
    "password",
    "jwt",
)
_FIELDS = "|".join(_SECRET_FIELDS)
# `\b` keeps `error_code=` and `errorCode` intact: `_`/letters before the name are word chars.
_FORM_FIELD = re.compile(rf"(?i)\b({_FIELDS})=([^&\s\"'<>]+)")
_JSON_FIELD = re.compile(rf"(?i)([\"']({_FIELDS})[\"']\s*:\s*)([\"'])(.*?)(?<!\\)\3")
_PY_FIELD = re.compile(rf"(?i)\b({_FIELDS})\s*[:=]\s*([\"'])(.*?)(?<!\\)\2")
_BEARER = re.compile(r"(?i)\b(bearer)(\s+)[A-Za-z0-9._~+/=-]{8,}")
# A Basic credential is base64 of "id:secret"; checking that keeps "Basic information" intact.
_BASIC = re.compile(r"(?i)\b(basic)(\s+)([A-Za-z0-9+/]{4,}={0,2})")
# A JWT (header.payload.signature); the header is JSON so it always starts with "eyJ".
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")

# Short values would mask ordinary words; real secrets are long.
_MIN_SECRET_LENGTH = 8
_MAX_REGISTERED = 2048  # weeks of hourly refreshes; long-lived secrets are re-registered on use

_lock = threading.Lock()
_secrets: dict[str, None] = {}  # insertion-ordered set, oldest evicted first
_ordered: tuple[str, ...] | None = ()  # longest first; None when it must be rebuilt


_SECRET_MASK = "**********"  # the mask pydantic's SecretStr showed, so reprs read as before


@final
class Secret:
    """An immutable secret string that never shows its value unless asked by name.

    ``repr``, ``str`` and ``format`` give a fixed mask, so a dataclass repr, a log line or an
    f-string that holds one stays clean; :meth:`get_secret_value` is the one way to the value.
    Two secrets are equal when their values are (never equal to a plain ``str``, so a mix-up
    fails loudly); ``len`` and truthiness follow the value.

    Constructing one does not call :func:`register_secret`: the code registers each value where
    it enters the app (token responses, credentials, codes, verifiers), while some secrets here
    are whole stored payloads that would only bloat the registry every redaction scans.

    Pickling is refused: a secret written to a file must be written deliberately, through
    :meth:`get_secret_value`. Copies return the same object (it is immutable).
    """

    __slots__ = ("_value",)
    _value: str

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"Secret takes a str, not {type(value).__name__}")
        object.__setattr__(self, "_value", value)

    def get_secret_value(self) -> str:
        """The secret itself: for the request, the keyring or a comparison, never for display."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret({str(self)!r})"

    def __str__(self) -> str:
        return _SECRET_MASK if self._value else ""

    def __format__(self, format_spec: str) -> str:
        return format(str(self), format_spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return self._value == other._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("a Secret is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("a Secret is immutable")

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret:
        return self

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret is not pickled; persist get_secret_value() deliberately")

    def __getstate__(self) -> NoReturn:
        raise TypeError("a Secret is not pickled; persist get_secret_value() deliberately")


def register_secret(value: str | None) -> None:
    """Remember a secret value so :func:`redact` masks it anywhere, in any later text."""
    global _ordered
    if not value or len(value) < _MIN_SECRET_LENGTH:
        return
    variants = {value, quote(value, safe=""), quote_plus(value)}
    with _lock:
        for variant in variants:
            _secrets.pop(variant, None)
            _secrets[variant] = None
        while len(_secrets) > _MAX_REGISTERED:
            del _secrets[next(iter(_secrets))]
        _ordered = None  # rebuilt lazily: registering must stay cheap


def _known_secrets() -> tuple[str, ...]:
    global _ordered
    with _lock:
        if _ordered is None:
            # Longest first, so a secret containing another is masked whole.
            _ordered = tuple(sorted(_secrets, key=len, reverse=True))
        return _ordered


def redact(text: str) -> str:
    """Return ``text`` with every known secret value and secret-shaped substring masked."""
    if not text:
        return text
    for secret in _known_secrets():
        if secret in text:
            text = text.replace(secret, MASK)
    text = _BEARER.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    text = _BASIC.sub(_mask_basic, text)
    text = _FORM_FIELD.sub(lambda m: f"{m.group(1)}={MASK}", text)
    text = _JSON_FIELD.sub(lambda m: f"{m.group(1)}{m.group(3)}{MASK}{m.group(3)}", text)
    text = _PY_FIELD.sub(lambda m: m.group(0)[: m.start(3) - m.start(0)] + MASK + m.group(2), text)
    return _JWT.sub("[JWT]", text)


def _mask_basic(match: re.Match[str]) -> str:
    value = match.group(3)
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except ValueError:
        return match.group(0)
    if b":" not in decoded:
        return match.group(0)
    return f"{match.group(1)}{match.group(2)}{MASK}"


class RedactingFilter(logging.Filter):
    """A logging filter that masks secrets in the message, its arguments and any traceback.

    It rewrites the record in place (message pre-formatted, arguments dropped) and never
    drops a record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
