-- Supply and ranking read models (docs/services.md "credit-service", "Supply and ranking"):
-- the credit event stream folded in chain order with the chain's own arithmetic
-- (docs/credits.md), so totals and balances equal the chain's, rounding included.

-- Normalizations get their position in the block's events, for the fold's chain order.
alter table normalizations add column event_index integer;
update normalizations set event_index = split_part(event_id, '/', 3)::integer;
alter table normalizations alter column event_index set not null;
create index normalizations_by_height on normalizations (height);
create index balance_changes_by_height on balance_changes (height);

-- Where the fold stands: the last event folded (tx_order: tx index, 2147483647 for block events).
create table fold_cursor (
    id          smallint primary key check (id = 1),
    height      bigint  not null,
    tx_order    integer not null,
    event_index integer not null
);
insert into fold_cursor (id, height, tx_order, event_index) values (1, 0, -1, -1);

-- The chain's supply record and index at the end of every height with a credit event.
create table supply_states (
    height       bigint  primary key,
    total_shares numeric not null,
    mantissa     bigint  not null,
    exponent     integer not null,
    total        bigint  not null,      -- floor(total_shares × mantissa / 2^exponent), as credit/supply
    accounts     bigint  not null,      -- accounts holding shares
    normalized   boolean not null,      -- a credit.normalized at this height
    changed      boolean not null       -- total differs from the previous state's
);

-- Every HSM holding shares, with its balance under the current index (rescaled at normalization).
create table accounts (
    hsm_id  char(64) primary key,
    shares  numeric not null,
    balance bigint  not null
);
create index accounts_ranking on accounts (balance desc, hsm_id);

-- Shares after each balance change, so that the fold can roll back to an earlier height when an
-- event from another partition arrives late.
create table account_log (
    hsm_id      char(64) not null,
    height      bigint  not null,
    tx_order    integer not null,
    event_index integer not null,
    shares      numeric not null,
    primary key (hsm_id, height, tx_order, event_index)
);
create index account_log_by_height on account_log (height);
