// A helpdesk ticket by its system and ticket id, with what it is linked to.
MATCH (t:Ticket {system: $system, external_id: $external_id})
CALL (t) {
  OPTIONAL MATCH (t)-[:TICKET_FOR_INCIDENT]->(i:Incident)
  RETURN collect(i {.id, .title, .status, .priority}) AS incidents
}
CALL (t) {
  OPTIONAL MATCH (t)-[:TICKET_ABOUT]->(c:CI)
  RETURN collect(c {.id, .type, .key, .name}) AS cis
}
RETURN t {.*} AS ticket, incidents, cis
