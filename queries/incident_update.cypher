// Set some properties of an incident.
MATCH (i:Incident {id: $id})
SET i += $properties
RETURN i {.*} AS incident
