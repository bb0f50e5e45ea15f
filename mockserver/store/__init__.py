"""OFAPI's own data: what computed operations answer from, and per-key credit balances."""
