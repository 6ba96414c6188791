// What counts as already down: the starting CIs and down links of open
// incidents (but $exclude_id), and the targets of authorised changes whose
// window contains $at.
MATCH (i:Incident)
WHERE i.status IN $open_statuses AND ($exclude_id IS NULL OR i.id <> $exclude_id)
CALL (i) {
  MATCH (i)-[:INCIDENT_STARTS_AT]->(c:CI)
  RETURN c.id AS ci_id
  UNION
  MATCH (i)-[l:INCIDENT_AFFECTS]->(c:CI)
  WHERE l.state = $down AND l.link IN $down_kinds
  RETURN c.id AS ci_id
}
RETURN ci_id
UNION
MATCH (c:ChangeRequest)-[:CHANGE_TARGETS]->(ci:CI)
WHERE c.state IN $change_states
  AND c.window_start <= $at AND c.window_end > $at
RETURN ci.id AS ci_id
