// The sync state of the given sources.
MATCH (s:SyncState)
WHERE s.source IN $sources
RETURN s {.*} AS state
