// Delete every CI, relationship and history entry, in batches; the record
// of the applied catalogue stays. Used by tests and resets.
MATCH (n)
WHERE NOT n:CatalogueVersion
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
