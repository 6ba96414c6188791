// Record when a source last synced (completely); the one write a sync that
// finds no differences makes.
MERGE (s:SyncState {source: $source})
SET s += $state
