// Every relationship between backed-up nodes, with its properties.
MATCH (a)-[r]->(b)
WHERE none(label IN labels(a) + labels(b) WHERE label IN $derived)
RETURN elementId(a) AS source, type(r) AS type, elementId(b) AS target,
       properties(r) AS properties
