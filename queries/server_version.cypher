// The server version, asked of the system database.
CALL dbms.components() YIELD versions
RETURN versions[0] AS version
