-- attestation-service read models (docs/services.md, "attestation-service"). Fed only by
-- AttestationStore.apply, which records every event id in processed_events in the same
-- transaction as its effect: a redelivered event changes nothing.

create table processed_events (
    event_id text primary key,          -- EventId text: <height>/<tx index or b>/<event index>
    height   bigint not null,
    type     text   not null
);

create table indexed_blocks (
    chain_id   text primary key,
    height     bigint not null,
    block_hash text   not null
);

-- One row per round. Opened by attestation.round_opened, closed by attestation.round_closed;
-- both carry the round id, so an out-of-order close still lands (the row is upserted).
create table rounds (
    id              bigint primary key,
    testee          text   not null,
    kind            text,               -- JOIN, PERIODIC, GOVERNANCE, RETRY
    attempt         integer not null default 0,
    seed            text,
    opened_height   bigint,
    deadline_height bigint,
    total_shares    numeric,
    committee_size  integer,            -- from the chain's round record (not in the event)
    quorum_votes    integer,
    max_votes       integer,
    state           text   not null,    -- OPEN or CLOSED
    outcome         text,               -- PASS, FAIL or INCONCLUSIVE once CLOSED
    votes           integer not null default 0,
    pass_weight     numeric not null default 0,
    fail_weight     numeric not null default 0,
    closed_height   bigint,
    last_event      text   not null
);
create index rounds_by_state on rounds (state, id);
create index rounds_by_testee on rounds (testee, id);

create table votes (
    round_id        bigint not null,
    verifier        text   not null,
    verdict         text   not null,    -- PASS or FAIL
    reason          text   not null,    -- OK, FIRMWARE_NOT_APPROVED, ...
    weight          numeric not null,
    evidence_digest text   not null,
    height          bigint not null,
    event_id        text   not null,
    primary key (round_id, verifier)
);
create index votes_by_verifier on votes (verifier, round_id);

create table absence_charges (
    event_id   text primary key,
    hsm_id     text   not null,
    height     bigint not null,
    owed       bigint not null,
    cast_votes bigint not null,
    missing    bigint not null,
    amount     bigint not null
);
create index absence_by_hsm on absence_charges (hsm_id);

create table round_requests (
    event_id text primary key,
    hsm_id   text   not null,
    height   bigint not null,
    reason   text
);

create table mint_skips (
    event_id text primary key,
    hsm_id   text   not null,
    height   bigint not null,
    amount   bigint not null,
    reason   text   not null,
    cause    text
);

-- credit.normalized, for the dashboard's supply chart.
create table normalizations (
    event_id  text primary key,
    height    bigint not null,
    old_total bigint not null,
    new_total bigint not null,
    factor    text   not null
);
