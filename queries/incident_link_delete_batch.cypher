// Remove a batch of an incident's links to CIs.
MATCH (i:Incident {id: $id})
UNWIND $ci_ids AS ci_id
MATCH (c:CI {id: ci_id})
MATCH (i)-[l:INCIDENT_AFFECTS]->(c)
DELETE l
