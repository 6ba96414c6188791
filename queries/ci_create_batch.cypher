// Create CIs with their history entries. Merging on the natural key and the
// history id makes a retried batch converge instead of duplicating.
UNWIND $rows AS row
MERGE (n:CI {type: row.properties.type, key: row.properties.key})
  ON CREATE SET n = row.properties, n:$(row.properties.type)
MERGE (h:HistoryEntry {id: row.history.id})
  ON CREATE SET h = row.history
