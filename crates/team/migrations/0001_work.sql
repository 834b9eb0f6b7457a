-- The team store's first schema: its version, and the work queue with claims.
CREATE TABLE team_schema (
    version integer NOT NULL
);
INSERT INTO team_schema (version) VALUES (0);

-- One row per piece of shared work: a document to index or to check, a batch to release,
-- a released document to deliver. A desk claims a row for a while (the server's clock
-- decides); a claim not renewed in time is free again; done is done once.
CREATE TABLE team_work (
    id                 bigserial PRIMARY KEY,
    step               text NOT NULL CHECK (step IN ('index', 'check', 'release', 'deliver')),
    item               text NOT NULL,
    batch              text NOT NULL,
    state              text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done')),
    claimed_station    text,
    claimed_person     text,
    claimed_until      timestamptz,
    done_station       text,
    done_person        text,
    done_at            timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (step, item)
);
CREATE INDEX team_work_open ON team_work (step, created_at, id) WHERE state = 'open';
