// Every node but those the service derives itself, with labels and properties.
MATCH (n)
WHERE none(label IN labels(n) WHERE label IN $derived)
RETURN elementId(n) AS element, labels(n) AS labels, properties(n) AS properties
