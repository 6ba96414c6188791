// Every CI a source owns, retired ones included: of the source's types, with
// a key that is the source's prefix or starts with it. The timestamps are
// read as null: a sync never needs them, and they cost most of the read.
MATCH (n:CI)
WHERE n.type IN $types
  AND (n.key = $prefix OR n.key STARTS WITH $key_start)
RETURN n {.*, created_at: null, updated_at: null} AS ci
