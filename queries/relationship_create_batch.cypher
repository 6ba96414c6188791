// Relate CIs by id; the relationship type comes from the catalogue's
// allow-list and is checked before it is sent.
UNWIND $rows AS row
MATCH (a:CI {id: row.source})
MATCH (b:CI {id: row.target})
MERGE (a)-[r:$(row.type)]->(b)
  ON CREATE SET r = row.properties
MERGE (h:HistoryEntry {id: row.history.id})
  ON CREATE SET h = row.history
