// Record what was done to incidents; merging on the id makes retries harmless.
UNWIND $rows AS row
MERGE (a:IncidentActivity {id: row.id})
  ON CREATE SET a = row
