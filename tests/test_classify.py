"""The transaction-type classifier: total, and never wrong on what OnlyFans writes."""

import html

from hypothesis import given
from hypothesis import strategies as st

from mockserver.ofapi.classify import TYPES, classify
from mockserver.onlyfans.entities import PURCHASES, RENEWAL, SUBSCRIPTION

PHRASES = [SUBSCRIPTION, RENEWAL, *PURCHASES]
names = st.text(min_size=1, max_size=40)


def describe(phrase: str, username: str, name: str) -> str:
    return f'{phrase} <a href="https://onlyfans.com/{html.escape(username)}">{html.escape(name)}</a>'


@given(st.sampled_from(PHRASES), names, names)
def test_every_onlyfans_description_gets_its_type(entry, username, name):
    phrase, kind, _ = entry
    assert classify(describe(phrase, username, name)) == kind


@given(st.one_of(st.none(), st.integers(), st.text(), st.binary()))
def test_classifier_is_total(value):
    assert classify(value) in (*TYPES, None)


@given(st.text())
def test_unknown_descriptions_are_not_guessed(text):
    words = " ".join(text.lower().split())
    if not any(words.startswith(p.lower()) for p, _, _ in PHRASES) and not words.startswith("post from"):
        assert classify(text) is None


def test_examples():
    assert classify('Recurring subscription from <a href="https://onlyfans.com/a">A</a>') == "subs"
    assert classify("Tip from <a>x</a>") == "tips"
    assert classify("  <b>Payment for message from</b> someone") == "chat_messages"
    assert classify("Tipping is fun") is None
    assert classify("Refund for tip from x") is None
    assert classify("") is None
