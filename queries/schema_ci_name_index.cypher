// Name substring filters use a text index.
CREATE TEXT INDEX ci_name_text IF NOT EXISTS
FOR (n:CI) ON (n.name)
