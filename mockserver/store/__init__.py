"""OFAPI's own data: what computed operations answer from, without calling OnlyFans."""

from . import accounts, exports, links, postbacks, smart_links, webhooks  # noqa: F401 - registers the x-store actions
