// How many nodes a restore would collide with.
MATCH (n)
WHERE none(label IN labels(n) WHERE label IN $derived)
RETURN count(n) AS nodes
