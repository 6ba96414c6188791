// The CIs down in open incidents: their starting CIs and their down links.
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
RETURN DISTINCT ci_id
