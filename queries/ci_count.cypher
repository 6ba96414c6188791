MATCH (n:CI)
RETURN count(n) AS count
