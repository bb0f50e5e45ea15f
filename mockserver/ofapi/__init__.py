"""OFAPI's behaviour layered on the fake OnlyFans: data source, enrichment, CDN rewrite,
envelope, auth and errors."""
