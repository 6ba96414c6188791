// Delete every incident and ticket with their activity records, in batches.
// Used by benchmarks and resets; CIs and their history stay.
MATCH (n)
WHERE n:Incident OR n:IncidentActivity OR n:Ticket OR n:TicketActivity
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
