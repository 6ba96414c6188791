CREATE INDEX incident_created_at IF NOT EXISTS
FOR (i:Incident) ON (i.created_at)
