// Remove relationships a source no longer reports, recording what each was.
// The caller compares the count with its rows, as for updates.
UNWIND $rows AS row
MATCH (a:CI {id: row.source})-[r:$(row.type)]->(b:CI {id: row.target})
WITH row, collect(r) AS found
FOREACH (r IN found | DELETE r)
CREATE (h:HistoryEntry)
SET h = row.history
RETURN count(row) AS deleted
