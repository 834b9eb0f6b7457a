-- The scan office's batches on the team store: each row as the station's store has it (a
-- JSON object of its columns), beside what the team decides on — who scanned it, where it
-- is, who changed it last. Page images and PDFs are content-addressed blobs.
CREATE TABLE team_batches (
    id              text PRIMARY KEY,
    name            text NOT NULL,
    -- The station that scans it and the person signed in there (four-eyes compares).
    station         text NOT NULL,
    scanned_by      text NOT NULL,
    -- scanning: its station adds pages; ready: handed over, documents in the queue;
    -- released: its documents are PDF/A and wait for (or went to) the DMS.
    state           text NOT NULL DEFAULT 'scanning'
                    CHECK (state IN ('scanning', 'ready', 'released')),
    row             jsonb NOT NULL,
    pages           integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    changed_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE team_pages (
    id              text PRIMARY KEY,
    batch           text NOT NULL REFERENCES team_batches (id) ON DELETE CASCADE,
    row             jsonb NOT NULL,
    -- Raised by every change: a desk saves only over the version it read.
    version         bigint NOT NULL DEFAULT 1,
    changed_station text NOT NULL,
    changed_person  text NOT NULL,
    changed_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX team_pages_by_batch ON team_pages (batch);

-- Append-only: the page log and the check's verdicts, each entry keyed by its content.
CREATE TABLE team_page_log (
    key             text PRIMARY KEY,
    batch           text NOT NULL REFERENCES team_batches (id) ON DELETE CASCADE,
    row             jsonb NOT NULL,
    seq             bigserial NOT NULL
);
CREATE INDEX team_page_log_by_batch ON team_page_log (batch, seq);

CREATE TABLE team_verdicts (
    key             text PRIMARY KEY,
    batch           text NOT NULL REFERENCES team_batches (id) ON DELETE CASCADE,
    first_page      text NOT NULL,
    row             jsonb NOT NULL,
    station         text NOT NULL,
    person          text NOT NULL,
    at              timestamptz NOT NULL DEFAULT now(),
    seq             bigserial NOT NULL
);
CREATE INDEX team_verdicts_by_batch ON team_verdicts (batch, seq);

-- Four-eyes across desks, kept by the database itself: the person who scanned a batch
-- never gives a verdict on it, whichever station they sit at.
CREATE FUNCTION team_four_eyes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM team_batches b
                WHERE b.id = NEW.batch
                  AND lower(btrim(b.scanned_by)) = lower(btrim(NEW.person))) THEN
        RAISE EXCEPTION 'four-eyes: % scanned batch % and cannot check it', NEW.person, NEW.batch
            USING ERRCODE = 'EG001';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER team_verdicts_four_eyes BEFORE INSERT ON team_verdicts
    FOR EACH ROW EXECUTE FUNCTION team_four_eyes();

CREATE TABLE team_blobs (
    sha256          text PRIMARY KEY,
    size            bigint NOT NULL,
    data            bytea NOT NULL
);

-- What happened, by whom, where: every change of the shared work, hash-chained (each
-- entry's hash covers the one before), appended under a lock so the chain has one order.
CREATE TABLE team_events (
    seq             bigserial PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT now(),
    station         text NOT NULL,
    person          text NOT NULL,
    action          text NOT NULL,
    batch           text,
    item            text,
    detail          jsonb NOT NULL DEFAULT '{}',
    prev            text NOT NULL,
    hash            text NOT NULL
);

-- An instant as text the same in every session (whatever its time zone).
CREATE FUNCTION team_instant(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

CREATE FUNCTION team_event_chain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7436916);
    -- Numbered under the lock, so the numbers follow the chain.
    NEW.seq := nextval(pg_get_serial_sequence('team_events', 'seq'));
    SELECT coalesce((SELECT hash FROM team_events ORDER BY seq DESC LIMIT 1), repeat('0', 64))
      INTO NEW.prev;
    NEW.at := now();
    NEW.hash := encode(sha256(convert_to(
        NEW.prev || '|' || team_instant(NEW.at) || '|' || NEW.station || '|' || NEW.person || '|'
        || NEW.action || '|' || coalesce(NEW.batch, '') || '|' || coalesce(NEW.item, '') || '|'
        || NEW.detail::text, 'UTF8')), 'hex');
    RETURN NEW;
END $$;
CREATE TRIGGER team_events_chain BEFORE INSERT ON team_events
    FOR EACH ROW EXECUTE FUNCTION team_event_chain();
CREATE FUNCTION team_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the team''s event log is append-only';
END $$;
CREATE TRIGGER team_events_no_change BEFORE UPDATE OR DELETE ON team_events
    FOR EACH ROW EXECUTE FUNCTION team_events_append_only();
