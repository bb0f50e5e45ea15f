import pytest

from mockserver.app import create_app
from mockserver.settings import Settings
from mockserver.testing import running_server

from .pg import postgres  # noqa: F401 - the session's PostgreSQL server (a fixture)

AUTH = {"Authorization": "Bearer test"}
ACCOUNT = "acct_0123456789abcdef0123456789abcdef"


@pytest.fixture(scope="session")
def app():
    return create_app(Settings())


@pytest.fixture(scope="session")
def client(app):
    with app.test_client() as c:
        yield c


@pytest.fixture(scope="session")
def live_server():
    """The real HTTP server, started as a user would (`ofapi-mock serve`)."""
    with running_server() as base:
        yield base
