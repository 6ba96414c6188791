// Replace the properties of existing CIs and record what changed.
UNWIND $rows AS row
MATCH (n:CI {id: row.properties.id})
SET n = row.properties
MERGE (h:HistoryEntry {id: row.history.id})
  ON CREATE SET h = row.history
