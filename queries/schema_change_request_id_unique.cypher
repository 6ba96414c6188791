CREATE CONSTRAINT change_request_id_unique IF NOT EXISTS
FOR (c:ChangeRequest) REQUIRE c.id IS UNIQUE
