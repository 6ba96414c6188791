// Apply the changed properties of existing relationships (a null removes
// one) and record what changed. Merging on the history id makes a retried
// batch converge.
UNWIND $rows AS row
MATCH (a:CI {id: row.source})-[r:$(row.type)]->(b:CI {id: row.target})
SET r += row.set
MERGE (h:HistoryEntry {id: row.history.id})
  ON CREATE SET h = row.history
