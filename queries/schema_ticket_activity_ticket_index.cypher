CREATE INDEX ticket_activity_ticket IF NOT EXISTS
FOR (a:TicketActivity) ON (a.ticket_id, a.at)
