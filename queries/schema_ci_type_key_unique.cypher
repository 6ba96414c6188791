// The natural key is unique within its type; importers and loaders find CIs by it.
CREATE CONSTRAINT ci_type_key_unique IF NOT EXISTS
FOR (n:CI) REQUIRE (n.type, n.key) IS UNIQUE
