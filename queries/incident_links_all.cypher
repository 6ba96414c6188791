// Every CI and customer link of an incident, as recomputation compares them.
MATCH (:Incident {id: $id})-[l:INCIDENT_AFFECTS]->(c:CI)
RETURN c.id AS ci_id, c.type AS type, l {.*} AS link
