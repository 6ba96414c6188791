// How many links an incident has, by kind, CI type and state.
MATCH (:Incident {id: $id})-[l:INCIDENT_AFFECTS]->(c:CI)
RETURN l.link AS kind, c.type AS type, l.state AS state, count(*) AS count
