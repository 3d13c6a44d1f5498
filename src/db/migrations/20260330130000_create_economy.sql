-- Economy (rest.md §3.5, §3.6, §5): wallets, transactions (the ledger), item_defs,
-- store_listings, player_items, iap_transactions. Ids are app-generated UUIDv7; timestamps set
-- by the app. Beyond the spec (docs/decisions.md "Wallet ledger"):
--   - wallets.balance and transactions.balance_after can never be negative (CHECK);
--   - store_listings.price and player_items.quantity cannot be negative (CHECK);
--   - transactions.idempotency_key: a grant or debit retried with the same key applies once
--     (unique per wallet).

CREATE TABLE wallets (
  id UUID PRIMARY KEY,
  player_id UUID NOT NULL REFERENCES players (id) ON DELETE NO ACTION,
  currency VARCHAR(255) NOT NULL,
  balance INTEGER NOT NULL DEFAULT 0 CONSTRAINT wallets_balance_non_negative CHECK (balance >= 0),
  inserted_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX wallets_player_id_currency_index ON wallets (player_id, currency);

CREATE TABLE transactions (
  id UUID PRIMARY KEY,
  wallet_id UUID NOT NULL REFERENCES wallets (id) ON DELETE NO ACTION,
  amount INTEGER NOT NULL,
  balance_after INTEGER NOT NULL
    CONSTRAINT transactions_balance_after_non_negative CHECK (balance_after >= 0),
  reason VARCHAR(255) NOT NULL,
  reference_type VARCHAR(255),
  reference_id VARCHAR(255),
  metadata JSONB DEFAULT '{}'::jsonb,
  idempotency_key VARCHAR(255),
  inserted_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX transactions_wallet_id_index ON transactions (wallet_id);
CREATE UNIQUE INDEX transactions_wallet_id_idempotency_key_index
  ON transactions (wallet_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TABLE item_defs (
  id UUID PRIMARY KEY,
  slug VARCHAR(255) NOT NULL,
  name VARCHAR(255) NOT NULL,
  category VARCHAR(255) NOT NULL,
  rarity VARCHAR(255) DEFAULT 'common',
  stackable BOOLEAN NOT NULL DEFAULT true,
  metadata JSONB DEFAULT '{}'::jsonb,
  inserted_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX item_defs_slug_index ON item_defs (slug);

CREATE TABLE store_listings (
  id UUID PRIMARY KEY,
  item_def_id UUID NOT NULL REFERENCES item_defs (id) ON DELETE NO ACTION,
  currency VARCHAR(255) NOT NULL,
  price INTEGER NOT NULL CONSTRAINT store_listings_price_non_negative CHECK (price >= 0),
  active BOOLEAN NOT NULL DEFAULT true,
  valid_from TIMESTAMPTZ,
  valid_until TIMESTAMPTZ,
  metadata JSONB DEFAULT '{}'::jsonb
);

CREATE TABLE player_items (
  id UUID PRIMARY KEY,
  item_def_id UUID NOT NULL REFERENCES item_defs (id) ON DELETE NO ACTION,
  player_id UUID NOT NULL REFERENCES players (id) ON DELETE NO ACTION,
  quantity INTEGER NOT NULL DEFAULT 1
    CONSTRAINT player_items_quantity_non_negative CHECK (quantity >= 0),
  metadata JSONB DEFAULT '{}'::jsonb,
  acquired_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX player_items_player_id_index ON player_items (player_id);

-- player_id is nullable: erasure keeps the claim (so a receipt cannot be replayed by a new
-- account) but forgets who made it (rest.md §3.2, m20260806134109 upstream).
CREATE TABLE iap_transactions (
  id UUID PRIMARY KEY,
  player_id UUID REFERENCES players (id) ON DELETE NO ACTION,
  provider VARCHAR(255) NOT NULL,
  transaction_id VARCHAR(255) NOT NULL,
  original_transaction_id VARCHAR(255),
  product_id VARCHAR(255),
  inserted_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX iap_transactions_provider_transaction_id_index
  ON iap_transactions (provider, transaction_id);
CREATE INDEX iap_transactions_player_id_index ON iap_transactions (player_id);
