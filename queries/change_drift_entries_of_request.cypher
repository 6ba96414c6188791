// The history entries one importer run recorded.
MATCH (h:HistoryEntry {request_id: $request_id})
WHERE h.source STARTS WITH $source_prefix
RETURN h {.*} AS entry
ORDER BY h.at, h.id
