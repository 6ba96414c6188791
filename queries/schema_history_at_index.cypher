CREATE INDEX history_at IF NOT EXISTS
FOR (h:HistoryEntry) ON (h.at)
