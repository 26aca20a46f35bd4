-- 0011_interactions: the index of the unfiltered interaction log.
--
-- LOG-LIST pages through the log newest first (ORDER BY date DESC, entry_no DESC, keyset on
-- (date, entry_no)). With a contact, company or salesperson filter the indexes of 0005 serve it;
-- without one (a manager's view of the whole log, or filters with no index of their own such as
-- evaluation or segment) every page would otherwise sort the whole table. One more index on the
-- ledger is paid by every insert; this one is appended at its newest end and stays cheap.

CREATE INDEX interaction_log_entries_date_idx
    ON interaction_log_entries (date DESC, entry_no DESC);
COMMENT ON INDEX interaction_log_entries_date_idx IS
    'The whole log newest first with keyset pagination: WHERE NOT postponed AND (date, entry_no) < ($1, $2) ORDER BY date DESC, entry_no DESC LIMIT n.';
