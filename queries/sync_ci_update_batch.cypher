// Replace the properties of CIs still at the version the sync planned from,
// and record what changed. The caller compares the count with its rows: a
// shortfall means someone changed a CI meanwhile, and the sync is replanned.
UNWIND $rows AS row
MATCH (n:CI {id: row.properties.id})
WHERE n.version = row.expected_version
SET n = row.properties
CREATE (h:HistoryEntry)
SET h = row.history
RETURN count(n) AS updated
