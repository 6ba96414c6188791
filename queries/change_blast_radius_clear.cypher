// Forget the stored blast radius of a change request before storing anew.
MATCH (c:ChangeRequest {id: $id})-[r:CHANGE_AFFECTS|CHANGE_NOTIFIES]->(:CI)
DELETE r
RETURN count(r) AS removed
