-- Registry read models (docs/services.md). Ids and hashes are 64 lower-case hex digits.
-- Every row names the last chain event applied to it (last_event, "<height>/<tx>/<event>").

create table manufacturers (
    id              char(64) primary key,
    name            text     not null,
    subject         text     not null,
    status          text     not null,            -- ACTIVE | REVOKED
    added_height    bigint   not null,
    revoked_height  bigint,
    revoke_reason   text,
    last_event      text     not null
);

create table hsms (
    id              char(64) primary key,
    manufacturer_id char(64) not null,          -- no foreign key: events of different keys are not ordered
    state           text     not null,            -- PENDING | ACTIVE | SUSPENDED | REVOKED
    endpoint        text     not null,
    joined_height   bigint   not null,
    state_height    bigint   not null,
    state_reason    text,
    firmware        text,                         -- comma-separated hex SHA-256s last measured
    last_event      text     not null
);
create index hsms_by_state on hsms (state, id);
create index hsms_by_manufacturer on hsms (manufacturer_id, id);

create table firmware (
    sha256             char(64) primary key,
    component          text   not null,
    version            text   not null,
    valid_from_height  bigint not null,
    valid_until_height bigint not null,           -- 0 = no end
    approved_height    bigint not null,
    retired_height     bigint,
    retire_reason      text,
    expired_height     bigint,
    last_event         text   not null
);

-- Idempotency: an event id is applied at most once, in the same transaction as its effect.
create table processed_events (
    event_id text   primary key,
    height   bigint not null,
    type     text   not null
);

-- Highest block record consumed from the blocks topic (one row per chain id).
create table indexed_blocks (
    chain_id   text   primary key,
    height     bigint not null,
    block_hash text   not null
);

-- Transactions submitted through this service and what became of them.
create table submissions (
    hash       char(64) primary key,              -- upper-case hex, as CometBFT prints it
    type       text     not null,
    status     text     not null,                 -- PENDING | COMMITTED | REJECTED
    code       integer,
    codespace  text,
    log        text,
    height     bigint
);
