// CIs targeted by authorised change requests whose window contains $at.
MATCH (c:ChangeRequest)-[:CHANGE_TARGETS]->(ci:CI)
WHERE c.state IN $states
  AND c.window_start <= $at AND c.window_end > $at
RETURN DISTINCT ci.id AS id
