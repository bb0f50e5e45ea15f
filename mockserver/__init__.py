"""ofapi-mock: a spec-driven mock of the OnlyFansAPI.com REST API."""

__version__ = "0.1.0"
