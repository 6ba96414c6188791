// The tickets linked to an incident.
MATCH (t:Ticket)-[:TICKET_FOR_INCIDENT]->(:Incident {id: $id})
RETURN t {.*} AS ticket
ORDER BY t.system, t.external_id
