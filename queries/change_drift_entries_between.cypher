// The history entries importers recorded in [$since, $until].
MATCH (h:HistoryEntry)
WHERE h.at >= $since AND h.at <= $until
  AND h.source STARTS WITH $source_prefix
RETURN h {.*} AS entry
ORDER BY h.at, h.id
