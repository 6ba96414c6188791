// A CI's history, newest first, including changes to its relationships.
// The cursor is the (at, id) of the last entry of the previous page.
CALL () {
  MATCH (h:HistoryEntry) WHERE h.ci_id = $id RETURN h
  UNION
  MATCH (h:HistoryEntry) WHERE h.other_id = $id RETURN h
}
WITH h
WHERE $before_at IS NULL
   OR h.at < $before_at
   OR (h.at = $before_at AND h.id < $before_id)
RETURN h {.*} AS entry
ORDER BY h.at DESC, h.id DESC
LIMIT $limit
