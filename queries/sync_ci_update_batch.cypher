// Apply the changed properties (null removes one) to CIs still at the version
// the sync planned from, and record what changed. The caller compares the
// count with its rows: a shortfall means someone changed a CI meanwhile, and
// the sync is planned again.
UNWIND $rows AS row
MATCH (n:CI {id: row.id})
WHERE n.version = row.expected_version
SET n += row.set
CREATE (h:HistoryEntry)
SET h = row.history
RETURN count(n) AS updated
