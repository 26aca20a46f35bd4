-- 0017_opportunities_tasks: sales cycles and their stages, opportunities and tasks (to-dos), and the
-- ledger's references to them (reference §1.1, §1.6, §3.11 R5–R6, §3.12 R7, §3.13 R4–R5).
--
-- The ledger's opportunity_no and task_no were plain codes until now. They become guarded references
-- the way 0012/0015 guard the ledger's other parents, without a per-row trigger on the insert path:
--   * insert side: one more AFTER INSERT statement trigger (transition table new_rows, shared with the
--     trigger of 0015) whose planned-once statement returns at once when no new row names an
--     opportunity or a task (nearly every row), else checks and locks the parents FOR KEY SHARE;
--   * update side: a row trigger that fires only WHEN one of the two columns changed (an opportunity
--     made from an entry stores its number on it);
--   * parent side: deleting an opportunity or a task still named by an entry is refused (23503).
-- Opportunities keep the segment they were made from as a plain code (like the ledger: kept after the
-- segment is deleted); tasks keep theirs as a plain code too (cleared when the last line of the
-- contact leaves the segment, reference §1.9).

---------------------------------------------------------------------------------------------------
-- Enumerations
---------------------------------------------------------------------------------------------------

CREATE DOMAIN enum_opportunity_status AS text
    CHECK (VALUE IN ('not_started', 'in_progress', 'won', 'lost'));
COMMENT ON DOMAIN enum_opportunity_status IS
    'Opportunity Status: not_started | in_progress | won | lost (won and lost are closed).';

CREATE DOMAIN enum_task_type AS text
    CHECK (VALUE IN ('meeting', 'phone_call'));
COMMENT ON DOMAIN enum_task_type IS 'Task Type: meeting | phone_call. NULL = blank (a plain to-do).';

CREATE DOMAIN enum_task_status AS text
    CHECK (VALUE IN ('not_started', 'in_progress', 'completed', 'waiting', 'postponed'));
COMMENT ON DOMAIN enum_task_status IS 'Task Status: not_started | in_progress | completed | waiting | postponed.';

---------------------------------------------------------------------------------------------------
-- Sales cycles and stages
---------------------------------------------------------------------------------------------------

CREATE TABLE sales_cycles (
    code         code10 PRIMARY KEY,
    description  text   CHECK (length(description) <= 100),
    blocked      boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE sales_cycles IS 'Sales Cycle: the stages an opportunity goes through. A blocked cycle takes no new opportunities.';
COMMENT ON COLUMN sales_cycles.code IS 'Sales Cycle Code (PK), Code[10].';
COMMENT ON COLUMN sales_cycles.description IS 'Description, Text[100].';
COMMENT ON COLUMN sales_cycles.blocked IS 'Blocked: no new opportunity may use the cycle.';

CREATE TABLE sales_cycle_stages (
    sales_cycle_code   code10  NOT NULL REFERENCES sales_cycles (code) ON DELETE CASCADE,
    stage              integer NOT NULL CHECK (stage BETWEEN 1 AND 999),
    description        text    CHECK (length(description) <= 100),
    completed_pct      numeric(5,2) NOT NULL DEFAULT 0 CHECK (completed_pct BETWEEN 0 AND 100),
    chances_of_success numeric(5,2) NOT NULL DEFAULT 0 CHECK (chances_of_success BETWEEN 0 AND 100),
    PRIMARY KEY (sales_cycle_code, stage)
);
COMMENT ON TABLE sales_cycle_stages IS 'Sales Cycle Stage: one step of a cycle, in stage order.';
COMMENT ON COLUMN sales_cycle_stages.sales_cycle_code IS 'The cycle (deleting it deletes its stages).';
COMMENT ON COLUMN sales_cycle_stages.stage IS 'Stage number: the order of the stages (1..999).';
COMMENT ON COLUMN sales_cycle_stages.description IS 'Description, Text[100].';
COMMENT ON COLUMN sales_cycle_stages.completed_pct IS '% Completed when the opportunity reaches this stage.';
COMMENT ON COLUMN sales_cycle_stages.chances_of_success IS 'Chances of Success % at this stage.';

ALTER TABLE marketing_setup
    ADD COLUMN default_sales_cycle_code code10 REFERENCES sales_cycles (code),
    ADD COLUMN default_task_date_formula text
        CHECK (default_task_date_formula ~ '^[0-9]{1,3}[DWMY]$');
COMMENT ON COLUMN marketing_setup.default_sales_cycle_code IS
    'Default Sales Cycle Code: the cycle of a new opportunity that names none.';
COMMENT ON COLUMN marketing_setup.default_task_date_formula IS
    'Default To-do Date Calculation: a new task without a date is due today plus this (N days D, weeks W, months M or years Y, e.g. 1W); NULL = today.';

---------------------------------------------------------------------------------------------------
-- Opportunities
---------------------------------------------------------------------------------------------------

CREATE TABLE opportunities (
    no                      code20  PRIMARY KEY,
    description             text    NOT NULL CHECK (length(description) BETWEEN 1 AND 100),
    contact_no              code20  REFERENCES contacts (no) ON DELETE SET NULL,
    contact_company_no      code20  REFERENCES contacts (no) ON DELETE SET NULL,
    salesperson_code        code20  NOT NULL REFERENCES salespeople (code),
    campaign_no             code20  REFERENCES campaigns (no),
    segment_no              code20,
    sales_cycle_code        code10  REFERENCES sales_cycles (code),
    current_stage           integer,
    status                  enum_opportunity_status NOT NULL DEFAULT 'not_started',
    creation_date           date    NOT NULL DEFAULT CURRENT_DATE,
    estimated_value         numeric(18,2) NOT NULL DEFAULT 0 CHECK (estimated_value >= 0),
    estimated_closing_date  date,
    chances_of_success      numeric(5,2) NOT NULL DEFAULT 0 CHECK (chances_of_success BETWEEN 0 AND 100),
    date_closed             date,
    close_reason            text    CHECK (length(close_reason) <= 100),
    created_by              code50  REFERENCES users (user_id) ON UPDATE CASCADE,
    FOREIGN KEY (sales_cycle_code, current_stage) REFERENCES sales_cycle_stages (sales_cycle_code, stage),
    CHECK ((status IN ('won', 'lost')) = (date_closed IS NOT NULL))
);
COMMENT ON TABLE opportunities IS
    'Opportunity: a possible sale to a contact''s company, owned by a salesperson, numbered from marketing_setup.opportunity_nos. Won and lost ones are closed. Its statistics (interactions, cost, duration) are computed from interaction_log_entries.opportunity_no.';
COMMENT ON COLUMN opportunities.no IS 'Opportunity No. (PK), from the marketing setup''s Opportunity Nos. series.';
COMMENT ON COLUMN opportunities.description IS 'Description, Text[100], required.';
COMMENT ON COLUMN opportunities.contact_no IS 'Contact the opportunity is for (person or company); required when created. A contact with open opportunities cannot be deleted; a closed one keeps its history with the contact blanked.';
COMMENT ON COLUMN opportunities.contact_company_no IS 'The contact''s company (itself for a company contact); an interaction may link the opportunity only for a contact of this company.';
COMMENT ON COLUMN opportunities.salesperson_code IS 'Salesperson responsible (salespeople work on their own opportunities, managers on anyone''s).';
COMMENT ON COLUMN opportunities.campaign_no IS 'Campaign the opportunity came from (from an entry: the entry''s campaign).';
COMMENT ON COLUMN opportunities.segment_no IS 'Segment the opportunity came from; plain code, kept after the segment is deleted.';
COMMENT ON COLUMN opportunities.sales_cycle_code IS 'Sales cycle; default: marketing_setup.default_sales_cycle_code.';
COMMENT ON COLUMN opportunities.current_stage IS 'Stage reached in the sales cycle; NULL before the first.';
COMMENT ON COLUMN opportunities.status IS 'not_started | in_progress | won | lost.';
COMMENT ON COLUMN opportunities.creation_date IS 'Creation Date.';
COMMENT ON COLUMN opportunities.estimated_value IS 'Estimated Value (LCY), >= 0.';
COMMENT ON COLUMN opportunities.estimated_closing_date IS 'Estimated Closing Date.';
COMMENT ON COLUMN opportunities.chances_of_success IS 'Chances of Success %: the current stage''s, or typed.';
COMMENT ON COLUMN opportunities.date_closed IS 'Date Closed: set exactly when the status is won or lost.';
COMMENT ON COLUMN opportunities.close_reason IS 'Why it was won or lost, Text[100].';
COMMENT ON COLUMN opportunities.created_by IS 'User who created it.';

CREATE INDEX opportunities_open_company_idx ON opportunities (contact_company_no, salesperson_code)
    WHERE status IN ('not_started', 'in_progress');
COMMENT ON INDEX opportunities_open_company_idx IS 'Open opportunities of a company (the interaction check, the contact delete guard).';
CREATE INDEX opportunities_salesperson_idx ON opportunities (salesperson_code, no);
COMMENT ON INDEX opportunities_salesperson_idx IS 'A salesperson''s opportunities in number order (OPPORTUNITY-LIST salesperson=).';
CREATE INDEX opportunities_contact_idx ON opportunities (contact_no);
COMMENT ON INDEX opportunities_contact_idx IS 'Opportunities of a contact (the contact delete guard).';

---------------------------------------------------------------------------------------------------
-- Tasks (To-dos)
---------------------------------------------------------------------------------------------------

CREATE TABLE tasks (
    no                  code20  PRIMARY KEY,
    type                enum_task_type,
    description         text    NOT NULL CHECK (length(description) BETWEEN 1 AND 100),
    contact_no          code20  REFERENCES contacts (no) ON DELETE SET NULL,
    contact_company_no  code20  REFERENCES contacts (no) ON DELETE SET NULL,
    salesperson_code    code20  NOT NULL REFERENCES salespeople (code),
    campaign_no         code20  REFERENCES campaigns (no),
    opportunity_no      code20  REFERENCES opportunities (no),
    segment_no          code20,
    date                date    NOT NULL,
    start_time          time,
    ending_date         date,
    location            text    CHECK (length(location) <= 50),
    status              enum_task_status NOT NULL DEFAULT 'not_started',
    canceled            boolean NOT NULL DEFAULT false,
    date_closed         date,
    comment             text    CHECK (length(comment) <= 4000),
    created_by          code50  REFERENCES users (user_id) ON UPDATE CASCADE,
    CHECK (ending_date IS NULL OR ending_date >= date),
    CHECK ((status = 'completed' OR canceled) = (date_closed IS NOT NULL))
);
COMMENT ON TABLE tasks IS
    'Task (To-do): something a salesperson plans to do for a contact, numbered from marketing_setup.task_nos. Completing a meeting or phone-call task logs its interaction (entry task_no = this task) in the same transaction; a completed or canceled task is closed.';
COMMENT ON COLUMN tasks.no IS 'Task No. (PK), from the marketing setup''s To-do Nos. series.';
COMMENT ON COLUMN tasks.type IS 'blank (NULL) | meeting | phone_call.';
COMMENT ON COLUMN tasks.description IS 'Description, Text[100], required; the description of the interaction logged on completion.';
COMMENT ON COLUMN tasks.contact_no IS 'Contact (required for meetings and phone calls). A contact with open tasks cannot be deleted; a closed task keeps its history with the contact blanked.';
COMMENT ON COLUMN tasks.contact_company_no IS 'The contact''s company.';
COMMENT ON COLUMN tasks.salesperson_code IS 'Salesperson who does it.';
COMMENT ON COLUMN tasks.campaign_no IS 'Campaign.';
COMMENT ON COLUMN tasks.opportunity_no IS 'Opportunity it works on.';
COMMENT ON COLUMN tasks.segment_no IS 'Segment it was made for (one task per line); plain code, cleared when the last line of the contact leaves the segment.';
COMMENT ON COLUMN tasks.date IS 'Date due (default: today plus the setup''s Default To-do Date Calculation).';
COMMENT ON COLUMN tasks.start_time IS 'Start Time (meetings).';
COMMENT ON COLUMN tasks.ending_date IS 'Ending Date, not before the date.';
COMMENT ON COLUMN tasks.location IS 'Location (meetings), Text[50].';
COMMENT ON COLUMN tasks.status IS 'not_started | in_progress | completed | waiting | postponed.';
COMMENT ON COLUMN tasks.canceled IS 'Canceled: closed without being done.';
COMMENT ON COLUMN tasks.date_closed IS 'Date Closed: set exactly when completed or canceled.';
COMMENT ON COLUMN tasks.comment IS 'Comment lines (separated by a line feed, each at most 80 characters); copied to the interaction logged on completion.';
COMMENT ON COLUMN tasks.created_by IS 'User who created it.';

CREATE INDEX tasks_open_salesperson_idx ON tasks (salesperson_code, date)
    WHERE NOT canceled AND status <> 'completed';
COMMENT ON INDEX tasks_open_salesperson_idx IS 'Open tasks of a salesperson by date (overdue tasks).';
CREATE INDEX tasks_contact_idx ON tasks (contact_no);
COMMENT ON INDEX tasks_contact_idx IS 'Tasks of a contact (the contact delete guard).';
CREATE INDEX tasks_segment_idx ON tasks (segment_no, contact_no) WHERE segment_no IS NOT NULL;
COMMENT ON INDEX tasks_segment_idx IS 'Tasks made for a segment''s lines.';
CREATE INDEX tasks_opportunity_idx ON tasks (opportunity_no) WHERE opportunity_no IS NOT NULL;
COMMENT ON INDEX tasks_opportunity_idx IS 'Tasks of an opportunity.';

---------------------------------------------------------------------------------------------------
-- The ledger's references to them
---------------------------------------------------------------------------------------------------

CREATE FUNCTION rapport_log_entries_check_work() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    t text := 'interaction_log_entries';
BEGIN
    IF NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.opportunity_no IS NOT NULL OR n.task_no IS NOT NULL) THEN
        RETURN NULL;
    END IF;
    PERFORM rapport_require_parents('opportunities', 'no', 'text',
        ARRAY(SELECT DISTINCT n.opportunity_no::text FROM new_rows n WHERE n.opportunity_no IS NOT NULL),
        t, 'opportunity_no', 'interaction_log_entries_opportunity_no_fkey');
    PERFORM rapport_require_parents('tasks', 'no', 'text',
        ARRAY(SELECT DISTINCT n.task_no::text FROM new_rows n WHERE n.task_no IS NOT NULL),
        t, 'task_no', 'interaction_log_entries_task_no_fkey');
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rapport_log_entries_check_work() IS
    'AFTER INSERT statement trigger on interaction_log_entries (transition table new_rows): the references to opportunities and tasks (0017). Returns after one scan of the new rows when none names either.';

CREATE TRIGGER interaction_log_entries_check_work
    AFTER INSERT ON interaction_log_entries
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rapport_log_entries_check_work();

CREATE FUNCTION rapport_log_entries_check_work_row() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    t text := 'interaction_log_entries';
BEGIN
    IF NEW.opportunity_no IS DISTINCT FROM OLD.opportunity_no AND NEW.opportunity_no IS NOT NULL THEN
        PERFORM rapport_require_parents('opportunities', 'no', 'text', ARRAY[NEW.opportunity_no::text],
            t, 'opportunity_no', 'interaction_log_entries_opportunity_no_fkey');
    END IF;
    IF NEW.task_no IS DISTINCT FROM OLD.task_no AND NEW.task_no IS NOT NULL THEN
        PERFORM rapport_require_parents('tasks', 'no', 'text', ARRAY[NEW.task_no::text],
            t, 'task_no', 'interaction_log_entries_task_no_fkey');
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rapport_log_entries_check_work_row() IS
    'AFTER UPDATE row trigger on interaction_log_entries, only when opportunity_no or task_no changed: checks and locks the new parent (0017).';

CREATE TRIGGER interaction_log_entries_check_work_row
    AFTER UPDATE OF opportunity_no, task_no ON interaction_log_entries
    FOR EACH ROW
    WHEN (NEW.opportunity_no IS DISTINCT FROM OLD.opportunity_no OR NEW.task_no IS DISTINCT FROM OLD.task_no)
    EXECUTE FUNCTION rapport_log_entries_check_work_row();

CREATE FUNCTION rapport_work_refuse_referenced() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'opportunities' THEN
        PERFORM rapport_refuse_referenced('interaction_log_entries', 'opportunity_no', 'text',
            ARRAY(SELECT o.no::text FROM old_rows o), 'opportunities', 'interaction_log_entries_opportunity_no_fkey');
    ELSE
        PERFORM rapport_refuse_referenced('interaction_log_entries', 'task_no', 'text',
            ARRAY(SELECT o.no::text FROM old_rows o), 'tasks', 'interaction_log_entries_task_no_fkey');
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rapport_work_refuse_referenced() IS
    'AFTER DELETE statement trigger on opportunities and tasks: refuses (23503) while a log entry still names a deleted one (0017).';

CREATE TRIGGER opportunities_refuse_referenced
    AFTER DELETE ON opportunities
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rapport_work_refuse_referenced();

CREATE TRIGGER tasks_refuse_referenced
    AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION rapport_work_refuse_referenced();

CREATE FUNCTION rapport_refuse_work_key_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the number of % % cannot be changed', TG_TABLE_NAME, OLD.no
        USING ERRCODE = 'foreign_key_violation';
END
$$;
COMMENT ON FUNCTION rapport_refuse_work_key_change() IS
    'BEFORE UPDATE OF no row trigger on opportunities and tasks: numbers are never renamed (log entries refer to them).';

CREATE TRIGGER opportunities_refuse_key_change BEFORE UPDATE OF no ON opportunities
    FOR EACH ROW WHEN (NEW.no IS DISTINCT FROM OLD.no) EXECUTE FUNCTION rapport_refuse_work_key_change();
CREATE TRIGGER tasks_refuse_key_change BEFORE UPDATE OF no ON tasks
    FOR EACH ROW WHEN (NEW.no IS DISTINCT FROM OLD.no) EXECUTE FUNCTION rapport_refuse_work_key_change();

COMMENT ON COLUMN interaction_log_entries.opportunity_no IS
    'Opportunity No. linked (reference §1.6 field 44): must name an opportunity (statement trigger interaction_log_entries_check_work, 0017); the server accepts only an open one of the contact''s company.';
COMMENT ON COLUMN interaction_log_entries.task_no IS
    'To-do No. (caption Task No.): the task the interaction fulfils; must name a task (statement trigger interaction_log_entries_check_work, 0017).';

---------------------------------------------------------------------------------------------------
-- Reporting views
---------------------------------------------------------------------------------------------------

CREATE VIEW open_opportunities_by_stage AS
SELECT o.salesperson_code,
       o.sales_cycle_code,
       o.current_stage,
       count(*) AS no_of_opportunities,
       sum(o.estimated_value)::numeric(18,2) AS estimated_value
FROM opportunities o
WHERE o.status IN ('not_started', 'in_progress')
GROUP BY o.salesperson_code, o.sales_cycle_code, o.current_stage;
COMMENT ON VIEW open_opportunities_by_stage IS
    'Open opportunities (not started or in progress) per salesperson, sales cycle and stage, with their total estimated value.';
COMMENT ON COLUMN open_opportunities_by_stage.salesperson_code IS 'Salesperson responsible.';
COMMENT ON COLUMN open_opportunities_by_stage.sales_cycle_code IS 'Sales cycle (NULL: none).';
COMMENT ON COLUMN open_opportunities_by_stage.current_stage IS 'Stage reached (NULL: not started).';
COMMENT ON COLUMN open_opportunities_by_stage.no_of_opportunities IS 'How many open opportunities.';
COMMENT ON COLUMN open_opportunities_by_stage.estimated_value IS 'Sum of their estimated values (LCY).';

CREATE VIEW overdue_tasks AS
SELECT t.no AS task_no, t.type, t.description, t.salesperson_code, t.contact_no, t.opportunity_no, t.date,
       t.status, (CURRENT_DATE - t.date) AS days_overdue
FROM tasks t
WHERE NOT t.canceled AND t.status <> 'completed' AND t.date < CURRENT_DATE;
COMMENT ON VIEW overdue_tasks IS 'Open tasks (not completed, not canceled) whose date is before today.';
COMMENT ON COLUMN overdue_tasks.task_no IS 'Task No.';
COMMENT ON COLUMN overdue_tasks.type IS 'blank | meeting | phone_call.';
COMMENT ON COLUMN overdue_tasks.description IS 'Description.';
COMMENT ON COLUMN overdue_tasks.salesperson_code IS 'Salesperson who should have done it.';
COMMENT ON COLUMN overdue_tasks.contact_no IS 'Contact.';
COMMENT ON COLUMN overdue_tasks.opportunity_no IS 'Opportunity.';
COMMENT ON COLUMN overdue_tasks.date IS 'Date due.';
COMMENT ON COLUMN overdue_tasks.status IS 'Status.';
COMMENT ON COLUMN overdue_tasks.days_overdue IS 'Days since the date due.';

CREATE VIEW opportunity_statistics AS
SELECT o.no AS opportunity_no, s.no_of_interactions, s.cost, s.duration
FROM opportunities o
CROSS JOIN LATERAL (
    SELECT count(*) AS no_of_interactions,
           coalesce(sum(e.cost), 0)::numeric(18,2) AS cost,
           coalesce(sum(e.duration), 0)::numeric(18,2) AS duration
    FROM interaction_log_entries e
    WHERE e.opportunity_no = o.no AND NOT e.canceled AND NOT e.postponed
) s;
COMMENT ON VIEW opportunity_statistics IS
    'Opportunity statistics: its entries that are not canceled and not postponed (index interaction_log_entries_opportunity_idx).';
COMMENT ON COLUMN opportunity_statistics.opportunity_no IS 'Opportunity No.';
COMMENT ON COLUMN opportunity_statistics.no_of_interactions IS 'No. of Interactions.';
COMMENT ON COLUMN opportunity_statistics.cost IS 'Cost (LCY): sum over the same entries.';
COMMENT ON COLUMN opportunity_statistics.duration IS 'Duration (Min.): sum over the same entries.';

SELECT rapport_grant_roles();

-- Segment logging refuses a segment with a contact blocked due to privacy: the few blocked contacts,
-- each probed in the segment's lines (segment_lines_contact_idx), instead of a join of every line.
CREATE INDEX contacts_privacy_blocked_idx ON contacts (no) WHERE privacy_blocked;
COMMENT ON INDEX contacts_privacy_blocked_idx IS 'Contacts blocked due to privacy: LOG-SEGMENT''s refusal.';
