-- Saved segment criteria get an owner, like segments: the salesperson who saved a set may replace or
-- delete it, a manager anyone's; every salesperson may list and reuse every set (a team library).
-- Sets saved before this migration have no owner and are changed by managers only.

ALTER TABLE saved_segment_criteria
    ADD COLUMN created_by code50 REFERENCES users (user_id) ON UPDATE CASCADE;
COMMENT ON COLUMN saved_segment_criteria.created_by IS
    'User who saved the criteria (owner for the role checks: the owner or a manager may replace or delete them; NULL for sets saved before owners were kept, managers only).';
