-- A CHECK of the form `x IN ('a', 'b', 'c')` (a constant list of more than two values) makes
-- SQLite build a temporary b-tree of the list each time a statement checks it: every insert
-- of a row, every update of the column (issue 19: ~9 such b-trees per order, about 2 % of a
-- checkout's instructions). The same constraint written as comparisons costs nothing. A
-- CHECK changed into an equivalent one needs no table rebuild (SQLite's ALTER TABLE page,
-- "Making Other Kinds Of Table Schema Changes"): the stored rows satisfy it already, so the
-- schema text is edited in place and this connection's schema reloaded (`RESET`). When the
-- text differs (a store made otherwise), nothing changes and the old, equivalent CHECK stays.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql,
       'CHECK (status IN (''running'', ''compensating'', ''done'', ''reverted'', ''failed_compensation''))',
       'CHECK (status = ''running'' OR status = ''compensating'' OR status = ''done'' OR status = ''reverted'' OR status = ''failed_compensation'')')
 WHERE type = 'table' AND name = 'workflow_execution';
UPDATE sqlite_schema
   SET sql = replace(sql,
       'CHECK (status IN (''invoking'', ''done'', ''failed'', ''compensating'', ''compensated'', ''compensation_failed''))',
       'CHECK (status = ''invoking'' OR status = ''done'' OR status = ''failed'' OR status = ''compensating'' OR status = ''compensated'' OR status = ''compensation_failed'')')
 WHERE type = 'table' AND name = 'workflow_step';
PRAGMA writable_schema = RESET;
