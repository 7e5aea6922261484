"""What libraries log goes through `DependencyFilter`: above DEBUG no request body and no member's
words (slack_bolt logs a refused request's whole body at INFO), long lines cut short; their
loggers kept at WARNING; groupbot's own records untouched."""

from __future__ import annotations

import io
import logging

from groupbot.logging_setup import (
    WITHHELD,
    DependencyFilter,
    setup_logging,
    withhold_request_content,
)

MEMBER_WORDS = "my sister said I always put myself last"


def test_a_library_record_above_debug_keeps_no_body_and_ours_are_untouched() -> None:
    stream = io.StringIO()
    root_level = logging.getLogger().level
    handler = setup_logging("DEBUG", "text", stream=stream)
    try:
        logging.getLogger("aiohttp.server").setLevel(logging.DEBUG)
        logging.getLogger("aiohttp.server").warning(
            "Error handling request (body: text=%s)", MEMBER_WORDS)
        logging.getLogger("slack_sdk.socket_mode").error(
            "Failed: {'type': 'message', 'text': '%s'}", MEMBER_WORDS)
        logging.getLogger("some.library").warning("x" * 5000)
        logging.getLogger("some.library").debug("at debug: %s", MEMBER_WORDS)
        logging.getLogger("groupbot.test").info("request body: our own words stay")
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(root_level)
        logging.getLogger("aiohttp.server").setLevel(logging.NOTSET)
    out = stream.getvalue().splitlines()
    assert [line.split(" ", 1)[1] for line in out[:2]] == [
        f"warning aiohttp.server: Error handling request ({WITHHELD}",
        f"error   slack_sdk.socket_mode: Failed: {{'type': 'message', {WITHHELD}"]
    assert "x" * 500 + "... [4,500 characters withheld]" in out[2] and len(out[2]) < 600
    assert f"at debug: {MEMBER_WORDS}" in out[3]  # DEBUG may hold it (README)
    assert out[4].endswith("request body: our own words stay")
    assert logging.getLogger("slack_bolt").level == logging.WARNING
    assert any(isinstance(f, DependencyFilter) for f in handler.filters)


def test_slack_bolt_s_refused_request_line_keeps_its_signature_and_loses_the_body() -> None:
    line = ("Invalid request signature detected (signature: v0=abc, timestamp: 1700000000, "
            f"body: token=legacy&text={MEMBER_WORDS})")
    assert withhold_request_content(line) == (
        f"Invalid request signature detected (signature: v0=abc, timestamp: 1700000000, "
        f"{WITHHELD}")
    assert withhold_request_content("Request body: {'event': 1}") == WITHHELD
    assert withhold_request_content("the session (s1) has been established") == \
        "the session (s1) has been established"
