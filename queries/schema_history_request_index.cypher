CREATE INDEX history_request IF NOT EXISTS
FOR (h:HistoryEntry) ON (h.request_id)
