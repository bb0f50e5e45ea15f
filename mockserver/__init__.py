"""ofapi-mock: a spec-driven mock of the OnlyFansAPI.com REST API."""

import warnings

# Connexion imports Starlette's test client when it loads, which warns about httpx on every start.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")

__version__ = "0.1.0"
