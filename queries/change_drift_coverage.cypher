// For each history entry, the authorised change requests whose window
// contains its time and whose blast radius holds one of its CIs.
UNWIND $entries AS entry
MATCH (ci:CI)<-[:CHANGE_AFFECTS]-(c:ChangeRequest)
WHERE ci.id IN entry.ci_ids
  AND c.state IN $states
  AND c.window_start <= entry.at AND c.window_end > entry.at
RETURN entry.id AS entry_id, collect(DISTINCT c.id) AS change_ids
