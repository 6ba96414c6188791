// Create a batch of an incident's links to CIs that it does not link yet.
MATCH (i:Incident {id: $id})
UNWIND $rows AS row
MATCH (c:CI {id: row.ci_id})
CREATE (i)-[l:INCIDENT_AFFECTS]->(c)
SET l = row.link
