// Apply the changed fields of existing CIs (a null removes one) and record
// what changed. Merging on the history id makes a retried batch converge.
UNWIND $rows AS row
MATCH (n:CI {id: row.id})
SET n += row.set
MERGE (h:HistoryEntry {id: row.history.id})
  ON CREATE SET h = row.history
