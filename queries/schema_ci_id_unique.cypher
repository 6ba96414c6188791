// Every CI has a service-assigned identifier, unique across all types.
CREATE CONSTRAINT ci_id_unique IF NOT EXISTS
FOR (n:CI) REQUIRE n.id IS UNIQUE
