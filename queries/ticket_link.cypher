// Link a ticket to incidents and CIs; links that exist are left alone.
// Returns the ids newly linked.
MATCH (t:Ticket {id: $ticket_id})
CALL (t) {
  UNWIND $incident_ids AS incident_id
  MATCH (i:Incident {id: incident_id})
  WHERE NOT (t)-[:TICKET_FOR_INCIDENT]->(i)
  CREATE (t)-[:TICKET_FOR_INCIDENT {at: $at, actor: $actor}]->(i)
  RETURN collect(i.id) AS new_incidents
}
CALL (t) {
  UNWIND $ci_ids AS ci_id
  MATCH (c:CI {id: ci_id})
  WHERE NOT (t)-[:TICKET_ABOUT]->(c)
  CREATE (t)-[:TICKET_ABOUT {at: $at, actor: $actor}]->(c)
  RETURN collect(c.id) AS new_cis
}
RETURN new_incidents, new_cis
