// Every outgoing relationship of the given CIs, to compare with a load.
UNWIND $ids AS id
MATCH (a:CI {id: id})-[r]->(b:CI)
RETURN id AS source, type(r) AS type, b.id AS target, properties(r) AS properties
