// Every history entry of a CI recorded at or before $at, oldest first,
// including those of its relationships in both directions.
CALL () {
  MATCH (h:HistoryEntry) WHERE h.ci_id = $id RETURN h
  UNION
  MATCH (h:HistoryEntry) WHERE h.other_id = $id RETURN h
}
WITH h
WHERE h.at <= $at
RETURN h {.*} AS entry
ORDER BY h.at, h.id
