// A range index on a property the catalogue marks as indexed.
// {{label}} and {{property}} are filled only from the catalogue's allow-list.
CREATE INDEX $name IF NOT EXISTS
FOR (n:{{label}}) ON (n.{{property}})
