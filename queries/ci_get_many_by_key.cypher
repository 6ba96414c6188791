// The stored CIs among the given (type, key) pairs. The timestamps are read
// as null: comparisons never need them, and decoding them costs most of a
// large read. Writes based on these rows patch only the fields that changed.
UNWIND $refs AS ref
MATCH (n:CI {type: ref.type, key: ref.key})
RETURN n {.*, created_at: null, updated_at: null} AS ci
