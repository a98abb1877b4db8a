-- Credit read models (docs/services.md "credit-service"). HSM ids are 64 lower-case hex digits.
-- Event ids are "<height>/<tx>/<event>" as the indexer writes them (docs/indexer.md).

-- Every credit.balance_changed event: one row per mint or burn, keyed by its event id.
create table balance_changes (
    event_id    text   primary key,
    hsm_id      char(64) not null,
    delta       bigint not null,                 -- signed: positive = mint, negative = burn
    reason      text   not null,                 -- CreditReason enum name, e.g. CREDIT_REASON_ATTESTATION_INCOME
    height      bigint not null,
    tx_index    integer not null,
    event_index integer not null
);
-- History order: by height, then position in the block (the chain's own order).
create index balance_changes_by_hsm on balance_changes (hsm_id, height, tx_index, event_index);

-- Every credit.normalized event (a block event: one per normalization).
create table normalizations (
    event_id   text   primary key,
    height     bigint not null,
    old_total  bigint not null,
    new_total  bigint not null,
    factor     text   not null                   -- as the chain prints it (CreditIndex.factorFrom)
);

-- Idempotency: an event id is applied at most once, in the same transaction as its effect.
create table processed_events (
    event_id text   primary key,
    height   bigint not null,
    type     text   not null
);
