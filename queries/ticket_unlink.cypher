// Unlink a ticket from incidents and CIs; returns the ids actually unlinked.
MATCH (t:Ticket {id: $ticket_id})
CALL (t) {
  OPTIONAL MATCH (t)-[r:TICKET_FOR_INCIDENT]->(i:Incident)
  WHERE i.id IN $incident_ids
  DELETE r
  RETURN collect(i.id) AS gone_incidents
}
CALL (t) {
  OPTIONAL MATCH (t)-[r:TICKET_ABOUT]->(c:CI)
  WHERE c.id IN $ci_ids
  DELETE r
  RETURN collect(c.id) AS gone_cis
}
RETURN gone_incidents, gone_cis
