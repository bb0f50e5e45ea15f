"""Bearer auth as OFAPI does it: any non-empty key is a key (the mock has no accounts to check)."""

UNAUTHORIZED = "Unauthorized. Go to https://app.onlyfansapi.com/api-keys to get your API key."


def bearer_info(token: str, required_scopes=None) -> dict | None:
    """Connexion's `x-bearerInfoFunc`: None rejects the request with a 401."""
    token = (token or "").strip()
    return {"sub": token} if token else None
