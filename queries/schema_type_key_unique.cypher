// One per CI type: the key is unique among CIs carrying the type's label.
// {{label}} is filled only from the catalogue's allow-list.
CREATE CONSTRAINT $name IF NOT EXISTS
FOR (n:{{label}}) REQUIRE n.key IS UNIQUE
