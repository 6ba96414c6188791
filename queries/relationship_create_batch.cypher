// Relate CIs by id and record each relationship's history entry. The load
// plan creates only relationships it found missing; the relationship type
// comes from the catalogue's allow-list and is checked before it is sent.
UNWIND $rows AS row
MATCH (a:CI {id: row.source})
MATCH (b:CI {id: row.target})
CREATE (a)-[r:$(row.type)]->(b)
SET r = row.properties
CREATE (h:HistoryEntry)
SET h = row.history
