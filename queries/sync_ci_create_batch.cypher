// Create the CIs a sync found, with their history entries. CREATE, not
// MERGE: a CI created meanwhile by someone else breaks the (type, key)
// constraint and rolls the whole sync back instead of being overwritten.
UNWIND $rows AS row
CREATE (n:CI)
SET n = row.properties, n:$(row.properties.type)
CREATE (h:HistoryEntry)
SET h = row.history
