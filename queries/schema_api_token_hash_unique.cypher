CREATE CONSTRAINT api_token_hash_unique IF NOT EXISTS
FOR (t:ApiToken) REQUIRE t.hash IS UNIQUE
