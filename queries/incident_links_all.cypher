// Every CI and customer link of an incident, as recomputation compares them:
// the kind, the state and the digest of the computed fields.
MATCH (:Incident {id: $id})-[l:INCIDENT_AFFECTS]->(c:CI)
RETURN c.id AS ci_id, l {.link, .state, .digest} AS link
