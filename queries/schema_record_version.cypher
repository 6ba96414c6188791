// Record which catalogue version the graph's constraints and indexes follow.
MERGE (c:CatalogueVersion {name: 'catalogue'})
SET c.version = $version, c.digest = $digest, c.applied_at = datetime()
