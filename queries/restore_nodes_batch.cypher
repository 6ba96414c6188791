// Create restored nodes; labels were checked against the catalogue first.
UNWIND $rows AS row
CREATE (n:$(row.labels))
SET n = row.properties
RETURN row.position AS position, elementId(n) AS element
