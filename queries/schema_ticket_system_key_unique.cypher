CREATE CONSTRAINT ticket_system_key_unique IF NOT EXISTS
FOR (t:Ticket) REQUIRE (t.system, t.external_id) IS UNIQUE
