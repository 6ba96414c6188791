// Replace the initial password of a freshly provisioned server.
ALTER CURRENT USER SET PASSWORD FROM $old TO $new
