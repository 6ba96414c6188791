MATCH (b:BlackoutPeriod {id: $id})
DELETE b
RETURN count(b) AS deleted
