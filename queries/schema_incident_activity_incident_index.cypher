CREATE INDEX incident_activity_incident IF NOT EXISTS
FOR (a:IncidentActivity) ON (a.incident_id, a.recorded_at)
