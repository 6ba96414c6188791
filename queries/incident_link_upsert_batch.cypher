// Create a batch of an incident's links to CIs, or update the given fields
// of those that exist (a null field is removed).
MATCH (i:Incident {id: $id})
UNWIND $rows AS row
MATCH (c:CI {id: row.ci_id})
MERGE (i)-[l:INCIDENT_AFFECTS]->(c)
SET l += row.link
