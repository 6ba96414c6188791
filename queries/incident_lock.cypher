// Lock an incident for the rest of the transaction and return it.
MATCH (i:Incident {id: $id})
SET i.version = coalesce(i.version, 0) + 1
RETURN i {.*} AS incident
