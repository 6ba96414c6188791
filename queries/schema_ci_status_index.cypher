CREATE INDEX ci_type_status IF NOT EXISTS
FOR (n:CI) ON (n.type, n.status)
