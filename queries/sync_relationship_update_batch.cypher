// Apply changed properties (null removes one) to relationships a source
// manages, and record what changed.
UNWIND $rows AS row
MATCH (a:CI {id: row.source})-[r:$(row.type)]->(b:CI {id: row.target})
SET r += row.set
CREATE (h:HistoryEntry)
SET h = row.history
