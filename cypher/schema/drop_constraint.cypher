// Drop a constraint of an earlier graphkit that the store no longer uses
// (e.g. the staging labels' id constraints: staged nodes are found by element id).
DROP CONSTRAINT {{name}} IF EXISTS
