"""A refused order is answered in a newcomer's words, for every reason the engine can give."""

from __future__ import annotations

from perpgame.engine.risk import REFUSAL_CODES
from perpgame.session.views import PLAIN_REASONS, plain_reason


def test_every_refusal_code_has_plain_words() -> None:
    assert sorted(PLAIN_REASONS) == sorted(REFUSAL_CODES)
    assert all(words and "_" not in words for words in PLAIN_REASONS.values())


def test_a_margin_refusal_says_what_is_short() -> None:
    assert plain_reason("margin") == "your cash does not cover its margin"
    assert plain_reason("something_new") == "something_new"  # never hidden
