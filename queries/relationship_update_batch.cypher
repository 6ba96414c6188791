UNWIND $rows AS row
MATCH (a:CI {id: row.source})-[r:$(row.type)]->(b:CI {id: row.target})
SET r = row.properties
MERGE (h:HistoryEntry {id: row.history.id})
  ON CREATE SET h = row.history
