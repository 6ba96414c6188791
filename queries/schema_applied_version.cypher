MATCH (c:CatalogueVersion {name: 'catalogue'})
RETURN c.version AS version, c.digest AS digest, c.applied_at AS applied_at
