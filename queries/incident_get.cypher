// One incident with its starting CIs, assignment, parent, children and cause.
MATCH (i:Incident {id: $id})
CALL (i) {
  OPTIONAL MATCH (i)-[:INCIDENT_STARTS_AT]->(c:CI)
  RETURN collect(c {.id, .type, .key, .name}) AS starts
}
CALL (i) {
  OPTIONAL MATCH (i)-[a:INCIDENT_ASSIGNED_TO]->(t:CI)
  RETURN t {.id, .type, .key, .name, .email, .on_call, .support_level} AS team,
         a {.*} AS assignment
  LIMIT 1
}
CALL (i) {
  OPTIONAL MATCH (i)-[:INCIDENT_CHILD_OF]->(p:Incident)
  RETURN p.id AS parent_id
  LIMIT 1
}
CALL (i) {
  OPTIONAL MATCH (child:Incident)-[:INCIDENT_CHILD_OF]->(i)
  RETURN collect(child.id) AS child_ids
}
CALL (i) {
  OPTIONAL MATCH (i)-[p:INCIDENT_PROBABLE_CAUSE]->(c:CI)
  RETURN c {.id, .type, .key, .name} AS cause, p {.*} AS cause_details
  LIMIT 1
}
RETURN i {.*} AS incident, starts, team, assignment, parent_id, child_ids,
       cause, cause_details
