// Existing relationships among the given (source, type, target) triples.
UNWIND $rows AS row
MATCH (a:CI {id: row.source})-[r:$(row.type)]->(b:CI {id: row.target})
RETURN row.source AS source, row.type AS type, row.target AS target,
       properties(r) AS properties
