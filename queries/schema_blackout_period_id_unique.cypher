CREATE CONSTRAINT blackout_period_id_unique IF NOT EXISTS
FOR (b:BlackoutPeriod) REQUIRE b.id IS UNIQUE
