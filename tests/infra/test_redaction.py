"""redact() and RedactingFilter: secrets masked by shape and by value."""

from __future__ import annotations

import base64
import copy
import dataclasses
import logging
import pickle
import uuid

import pytest

from rc_sms_desktop.infra.redaction import MASK, RedactingFilter, Secret, redact, register_secret


def secret(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex}"


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("Authorization: Bearer U0pDMTFQMDFQQVMwMHxBQUFWZkY", "U0pDMTFQMDFQQVMwMHxBQUFWZkY"),
        ("authorization: bearer abc.def-ghi_jkl", "abc.def-ghi_jkl"),
        (
            "Authorization: Basic " + base64.b64encode(b"id:secret").decode(),
            base64.b64encode(b"id:secret").decode(),
        ),
        ("grant_type=refresh_token&refresh_token=RT12345&client_id=abc", "RT12345"),
        ("access_token=AT9876&x=1", "AT9876"),
        ("POST code=C0DE123&code_verifier=V3R1F13R&redirect_uri=x", "C0DE123"),
        ("POST code=C0DE123&code_verifier=V3R1F13R&redirect_uri=x", "V3R1F13R"),
        ("grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=A55ERT10N", "A55ERT10N"),
        ("client_secret=CL13NTS3CR3T", "CL13NTS3CR3T"),
        ('{"access_token": "AT-json-1", "expires_in": 3600}', "AT-json-1"),
        ('{"refresh_token":"RT-json-2"}', "RT-json-2"),
        ("TokenSet(access_token='AT-repr-3', scope='SMS')", "AT-repr-3"),
        ("see eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl here", "eyJzdWIiOiIxMjM0In0"),
        ("GET /callback?code=Q0RFX2NvZGU&state=s HTTP/1.1", "Q0RFX2NvZGU"),
    ],
)
def test_secret_shapes_are_masked(text: str, hidden: str) -> None:
    masked = redact(text)
    assert hidden not in masked
    assert MASK in masked or "[JWT]" in masked


@pytest.mark.parametrize(
    "text",
    [
        'errorCode "OAU-109" error_code=OAU-109',
        "Basic information about your numbers",
        "GET /restapi/v1.0/account/~/extension/~/phone-number?page=2&perPage=100",
        "state=abc",  # state is not secret on its own; it is checked, not reused
        "Sign-in was cancelled in the browser.",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_registered_secrets_are_masked_anywhere_even_percent_encoded() -> None:
    value = secret("KNOWN") + "/+="
    register_secret(value)
    assert value not in redact(f"free text {value} more")
    from urllib.parse import quote

    assert quote(value, safe="") not in redact(f"url?x={quote(value, safe='')}")


def test_short_values_are_not_registered() -> None:
    register_secret("abc")
    assert redact("abc abc") == "abc abc"


def test_filter_masks_message_args_and_traceback(caplog: pytest.LogCaptureFixture) -> None:
    token = secret("AT")
    register_secret(token)
    logger = logging.getLogger("rc_sms_desktop.test_redaction")
    caplog.handler.addFilter(RedactingFilter())
    with caplog.at_level(logging.DEBUG, logger=logger.name):
        logger.debug("token %s and Bearer %s", token, "unregistered-bearer-value")
        try:
            raise RuntimeError(f"failed with refresh_token={secret('RT')}")
        except RuntimeError:
            logger.exception("boom %s", token)
    text = caplog.text
    assert token not in text
    assert "unregistered-bearer-value" not in text
    assert "refresh_token=RT-" not in text
    assert "RuntimeError" in text  # the traceback itself is kept


def test_filter_never_drops_a_record_even_with_a_broken_format() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s %s", ("only-one",), None)
    assert RedactingFilter().filter(record)
    assert record.args is None


# --- Secret: a value that shows a mask wherever it is displayed ---------------------------------


def test_secret_never_shows_its_value_when_displayed() -> None:
    value = secret("TOKEN")
    held = Secret(value)
    shown = [
        repr(held),
        str(held),
        f"{held}",
        f"{held!r}",
        f"{held:>40}",
        "%s %r" % (held, held),  # noqa: UP031 - the old formatting path must mask too
        "{}".format(held),  # noqa: UP032
        repr([held, {"token": held}]),
        repr(copy.copy(held)),
        repr(copy.deepcopy({"token": held})),
    ]
    for text in shown:
        assert value not in text
    assert repr(held) == "Secret('**********')"
    assert str(held) == "**********"
    assert held.get_secret_value() == value


def test_secret_in_a_dataclass_repr_and_an_exception_stays_masked() -> None:
    value = secret("RT")

    @dataclasses.dataclass(frozen=True)
    class Holder:
        token: Secret

    holder = Holder(Secret(value))
    assert value not in repr(holder)
    assert value not in str(ValueError(f"refresh failed for {holder}"))
    assert value not in repr(dataclasses.asdict(holder))


def test_secret_logged_directly_stays_masked_without_the_filter(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A value that was never registered: only Secret's own masking protects it here.
    value = secret("JWT")
    logger = logging.getLogger("rc_sms_desktop.test_redaction.secret")
    with caplog.at_level(logging.DEBUG, logger=logger.name):
        logger.debug("using %s / %r", Secret(value), Secret(value))
        logger.debug("extra %s", {"jwt": Secret(value)})
    assert value not in caplog.text
    assert "**********" in caplog.text


def test_secret_has_no_instance_dict_and_cannot_be_pickled() -> None:
    value = secret("CS")
    held = Secret(value)
    with pytest.raises(TypeError):
        vars(held)
    assert not hasattr(held, "__dict__")
    with pytest.raises(TypeError, match="not pickled"):
        pickle.dumps(held)
    with pytest.raises(TypeError, match="not pickled"):
        pickle.dumps({"nested": [held]})


def test_secret_is_immutable() -> None:
    held = Secret(secret("AT"))
    with pytest.raises(AttributeError):
        held._value = "changed"
    with pytest.raises(AttributeError):
        held.other = 1
    with pytest.raises(AttributeError):
        del held._value
    assert copy.deepcopy(held) is held


def test_secret_compares_by_value_but_never_equals_a_plain_string() -> None:
    value = secret("RT")
    assert Secret(value) == Secret(value)
    assert Secret(value) != Secret(value + "x")
    assert Secret(value) != value
    assert value != Secret(value)
    assert len({Secret(value), Secret(value), Secret(value + "x")}) == 2
    assert {Secret(value): 1}[Secret(value)] == 1


def test_secret_length_and_truthiness_follow_the_value() -> None:
    assert len(Secret("abc")) == 3
    assert Secret("a")
    assert not Secret("")
    # An empty secret reads as empty, as pydantic's SecretStr did.
    assert str(Secret("")) == ""
    assert repr(Secret("")) == "Secret('')"


def test_secret_takes_only_a_string() -> None:
    with pytest.raises(TypeError, match="str"):
        Secret(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="str"):
        Secret(None)  # type: ignore[arg-type]


def test_constructing_a_secret_does_not_register_it() -> None:
    # Registration stays explicit at the points where values enter the app (see Secret's doc).
    value = secret("PAYLOAD")
    Secret(value)
    assert redact(f"text {value}") == f"text {value}"
