-- 0021_session_tickets: session tickets, so that a reconnecting client logs in again without a
-- password hash (issue 17: reconnect storms after a drain, a failover or a restart).
--
-- A ticket is an opaque random 256-bit token given to the client once; only its SHA-256 hash is
-- stored, so that a copy of the database gives no usable ticket. Every replica reads the same
-- table, so a ticket issued by one is accepted by all. Expiry is checked in SQL (now()), with the
-- database's clock: replicas with skewed clocks still agree.

CREATE TABLE session_tickets (
    token_hash  text        PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    user_id     code50      NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    CHECK (expires_at > created_at)
);
COMMENT ON TABLE session_tickets IS
    'Session tickets: a LOGIN with a ticket instead of a password (no slow hash). Only the SHA-256 of each token is stored; rows are deleted when revoked (password change, user disabled, LOGOUT, USER-TICKETS-REVOKE) and after expiry.';
COMMENT ON COLUMN session_tickets.token_hash IS 'SHA-256 of the token, lower-case hex (the token itself is never stored).';
COMMENT ON COLUMN session_tickets.user_id IS 'The user the ticket logs in; it is good for no other.';
COMMENT ON COLUMN session_tickets.created_at IS 'When the ticket was issued (a successful password LOGIN).';
COMMENT ON COLUMN session_tickets.expires_at IS 'After this instant (database clock) the ticket is refused and later deleted.';

CREATE INDEX session_tickets_user_idx ON session_tickets (user_id);
COMMENT ON INDEX session_tickets_user_idx IS 'A user''s tickets (revocation).';
CREATE INDEX session_tickets_expires_idx ON session_tickets (expires_at);
COMMENT ON INDEX session_tickets_expires_idx IS 'Expired tickets (cleanup).';

-- Revocation that no code path can forget: a new password or a block deletes the user's tickets in
-- the same transaction as the change itself (PASSWORD, USER-PASSWD, USER-DISABLE, rapportd user …,
-- or plain SQL by a DBA).
CREATE FUNCTION rapport_revoke_session_tickets() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.password_hash IS DISTINCT FROM OLD.password_hash OR (NEW.blocked AND NOT OLD.blocked) THEN
        DELETE FROM session_tickets WHERE user_id = OLD.user_id;
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION rapport_revoke_session_tickets() IS
    'Deletes a user''s session tickets when the password changes or the user is blocked.';

CREATE TRIGGER users_revoke_session_tickets
    AFTER UPDATE OF password_hash, blocked ON users
    FOR EACH ROW EXECUTE FUNCTION rapport_revoke_session_tickets();
