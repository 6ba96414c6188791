CREATE CONSTRAINT incident_activity_id_unique IF NOT EXISTS
FOR (a:IncidentActivity) REQUIRE a.id IS UNIQUE
