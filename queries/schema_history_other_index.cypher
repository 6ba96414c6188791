CREATE INDEX history_other IF NOT EXISTS
FOR (h:HistoryEntry) ON (h.other_id, h.at)
