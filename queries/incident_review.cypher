// The incidents opened in a period, with their starting CIs and the services
// they affected.
MATCH (i:Incident)
WHERE i.created_at >= $period_start AND i.created_at < $period_end
CALL (i) {
  OPTIONAL MATCH (i)-[:INCIDENT_STARTS_AT]->(c:CI)
  RETURN collect(c {.id, .type, .key, .name}) AS starts
}
CALL (i) {
  OPTIONAL MATCH (i)-[l:INCIDENT_AFFECTS]->(s:CI)
  WHERE s.type IN $service_types AND l.link IN $affected_kinds
    AND l.state IN $states
  RETURN collect(s {.id, .type, .key, .name}) AS services
}
RETURN i {.id, .title, .status, .priority, .created_at, .acknowledged_at,
          .resolved_at} AS incident,
       starts, services
ORDER BY i.created_at
