"""OFAPI's own data: what computed operations answer from, without calling OnlyFans."""

from . import accounts, auth_flow, exports, links, postbacks, smart_links, usage, webhooks  # noqa: F401 - registers actions
