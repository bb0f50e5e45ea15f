"""The OpenAPI spec: loading it once and the operation table built from it."""
