// Record links and unlinks of tickets; merging on the id makes retries harmless.
UNWIND $rows AS row
MERGE (a:TicketActivity {id: row.id})
  ON CREATE SET a = row
