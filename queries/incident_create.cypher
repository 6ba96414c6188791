// Create an incident and link it to the CIs it starts from.
MERGE (i:Incident {id: $incident.id})
  ON CREATE SET i = $incident
WITH i
UNWIND $start_ids AS ci_id
MATCH (c:CI {id: ci_id})
MERGE (i)-[:INCIDENT_STARTS_AT]->(c)
