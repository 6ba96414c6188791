// Blackout periods that overlap [$start, $end), or all when both are null.
MATCH (b:BlackoutPeriod)
WHERE ($end IS NULL OR b.start < $end) AND ($start IS NULL OR b.end > $start)
RETURN b {.*} AS blackout
ORDER BY b.start, b.id
