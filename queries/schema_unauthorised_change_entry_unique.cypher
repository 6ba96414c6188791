CREATE CONSTRAINT unauthorised_change_entry_unique IF NOT EXISTS
FOR (u:UnauthorisedChange) REQUIRE u.history_entry_id IS UNIQUE
