CREATE CONSTRAINT history_id_unique IF NOT EXISTS
FOR (h:HistoryEntry) REQUIRE h.id IS UNIQUE
