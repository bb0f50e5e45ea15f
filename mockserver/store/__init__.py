"""OFAPI's own data: what computed operations answer from, without calling OnlyFans."""

from . import (  # noqa: F401 - registers the x-store actions
    accounts,
    auth_flow,
    banned_words,
    credentials,
    exports,
    links,
    pixels,
    postbacks,
    smart_link_tags,
    smart_links,
    summary_categories,
    usage,
    webhooks,
)
