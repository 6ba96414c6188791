CREATE CONSTRAINT ticket_activity_id_unique IF NOT EXISTS
FOR (a:TicketActivity) REQUIRE a.id IS UNIQUE
