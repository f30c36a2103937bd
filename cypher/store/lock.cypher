// Take the writer lock: a write lock on the one GraphkitLock node, held by a
// transaction that stays open while the load or write-back runs and is rolled
// back at its end (or by the server when the client dies), so a second writer
// waits here. MERGE under the graphkit_lock_name constraint.
MERGE (l:GraphkitLock {name: 'writer'})
SET l.taken = true
