// CIs targeted by other authorised change requests whose windows overlap
// [$start, $end).
MATCH (c:ChangeRequest)-[:CHANGE_TARGETS]->(ci:CI)
WHERE c.state IN $states
  AND c.window_start < $end AND c.window_end > $start
  AND ($exclude_id IS NULL OR c.id <> $exclude_id)
RETURN DISTINCT ci.id AS id
