CREATE INDEX incident_status IF NOT EXISTS
FOR (i:Incident) ON (i.status)
