-- The status CHECK as comparisons: a constant `IN` list of more than two values builds a
-- temporary b-tree at each insert and status update (see
-- migrations/workflow/0004_checks_without_lists.sql for why editing the schema text is safe).
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql,
       'CHECK (status IN (''pending'', ''success'', ''failure''))',
       'CHECK (status = ''pending'' OR status = ''success'' OR status = ''failure'')')
 WHERE type = 'table' AND name = 'notification';
PRAGMA writable_schema = RESET;
