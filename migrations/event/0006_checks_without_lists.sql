-- The delivery status CHECKs as comparisons: a constant `IN` list of more than two values
-- builds a temporary b-tree at each insert and status update (see
-- migrations/workflow/0004_checks_without_lists.sql for why editing the schema text is safe).
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql,
       'CHECK (status IN (''pending'', ''done'', ''dead''))',
       'CHECK (status = ''pending'' OR status = ''done'' OR status = ''dead'')')
 WHERE type = 'table' AND name = 'event_delivery';
UPDATE sqlite_schema
   SET sql = replace(sql,
       'CHECK (status IN (''pending'', ''succeeded'', ''dead''))',
       'CHECK (status = ''pending'' OR status = ''succeeded'' OR status = ''dead'')')
 WHERE type = 'table' AND name = 'event_webhook_delivery';
PRAGMA writable_schema = RESET;
