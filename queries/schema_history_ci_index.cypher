CREATE INDEX history_ci IF NOT EXISTS
FOR (h:HistoryEntry) ON (h.ci_id, h.at)
