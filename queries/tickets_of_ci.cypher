// The tickets about a CI: linked to it directly, or to an incident that
// starts from it.
MATCH (c:CI {id: $id})
CALL (c) {
  MATCH (t:Ticket)-[:TICKET_ABOUT]->(c)
  RETURN t, null AS incident_id
  UNION
  MATCH (t:Ticket)-[:TICKET_FOR_INCIDENT]->(i:Incident)-[:INCIDENT_STARTS_AT]->(c)
  RETURN t, i.id AS incident_id
}
RETURN t {.*} AS ticket, collect(incident_id) AS via_incidents
ORDER BY ticket.system, ticket.external_id
