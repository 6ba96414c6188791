UNWIND $ids AS id
MATCH (c:CI {id: id})
RETURN c.id AS id, c.sla_tier AS sla_tier, c.contact_email AS contact_email
