// Create or replace a batch of an incident's links to CIs.
MATCH (i:Incident {id: $id})
UNWIND $rows AS row
MATCH (c:CI {id: row.ci_id})
MERGE (i)-[l:INCIDENT_AFFECTS]->(c)
SET l = row.link
