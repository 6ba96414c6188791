// Delete every CI, relationship and history entry, in batches; the record
// of the applied catalogue stays. Used by tests and resets. So does the head
// of the graph revision log, so that revision numbers never go back; its
// entries go (Database.auto_commit records the whole graph as changed).
MATCH (n)
WHERE NOT n:CatalogueVersion AND NOT n:GraphRevisionHead
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
