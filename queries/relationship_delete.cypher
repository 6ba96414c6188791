MATCH (a:CI {id: $source})-[r:$($type)]->(b:CI {id: $target})
DELETE r
MERGE (h:HistoryEntry {id: $history.id})
  ON CREATE SET h = $history
