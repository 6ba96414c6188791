// What counts as already down for impact analysis, in one read:
// - incidents: the CIs down in open incidents other than $exclude_id, their
//   starting CIs and their down links;
// - changes: the CIs targeted by authorised change requests whose window
//   contains $at;
// - revision: the newest graph revision, so that the impact index checks it
//   is current in the same round trip.
CALL () {
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
  RETURN collect(DISTINCT ci_id) AS incidents
}
CALL () {
  MATCH (c:ChangeRequest)-[:CHANGE_TARGETS]->(ci:CI)
  WHERE c.state IN $change_states
    AND c.window_start <= $at AND c.window_end > $at
  RETURN collect(DISTINCT ci.id) AS changes
}
CALL () {
  OPTIONAL MATCH (head:GraphRevisionHead {id: 'graph'})
  RETURN coalesce(head.revision, 0) AS revision
}
RETURN incidents, changes, revision
