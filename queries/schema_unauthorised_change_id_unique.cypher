CREATE CONSTRAINT unauthorised_change_id_unique IF NOT EXISTS
FOR (u:UnauthorisedChange) REQUIRE u.id IS UNIQUE
