CREATE (b:BlackoutPeriod)
SET b = $properties
RETURN b {.*} AS blackout
