// One page of every write across the estate in [$since, $until), oldest
// first, filtered; the cursor is the (at, id) of the previous page's last.
MATCH (h:HistoryEntry)
WHERE h.at >= $since AND h.at < $until
  AND ($actor IS NULL OR h.actor = $actor)
  AND ($source IS NULL OR h.source = $source)
  AND ($ci_type IS NULL OR h.ci_type = $ci_type)
  AND ($after_at IS NULL OR h.at > $after_at
       OR (h.at = $after_at AND h.id > $after_id))
RETURN h {.*} AS entry
ORDER BY h.at, h.id
LIMIT $limit
