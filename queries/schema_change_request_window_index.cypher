CREATE INDEX change_request_window IF NOT EXISTS
FOR (c:ChangeRequest) ON (c.window_start, c.window_end)
