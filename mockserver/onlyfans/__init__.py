"""The fake OnlyFans upstream: a seeded world and the payloads it answers with."""
