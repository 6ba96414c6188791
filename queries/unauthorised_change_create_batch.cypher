// Record unauthorised changes; one per history entry, so a scan run again
// finds the ones it recorded before and creates nothing.
UNWIND $rows AS row
MERGE (u:UnauthorisedChange {history_entry_id: row.history_entry_id})
  ON CREATE SET u = row
RETURN u.id = row.id AS created
