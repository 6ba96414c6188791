// Every outgoing relationship of the given CIs, to compare with a load. The
// creation time is read as null: comparisons never need it, and decoding it
// costs most of a large read.
UNWIND $ids AS id
MATCH (a:CI {id: id})-[r]->(b:CI)
RETURN id AS source, type(r) AS type, b.id AS target,
       r {.*, created_at: null} AS properties
