-- The "legacy" bank ledger this test strangles: a schema nobody in strangler wrote for itself.
CREATE TABLE accounts (
  id bigserial PRIMARY KEY,
  owner text NOT NULL,
  balance numeric(20, 2) NOT NULL DEFAULT 0,
  profile jsonb,
  statement text            -- large: stored out of line (TOAST)
);
ALTER TABLE accounts ALTER COLUMN statement SET STORAGE EXTERNAL;
CREATE TABLE holds (
  id bigserial PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  amount numeric(12, 2) NOT NULL,
  note text
);
-- A released hold's event needs its account: deletes must carry the whole old row.
ALTER TABLE holds REPLICA IDENTITY FULL;
CREATE TABLE fx_rates (
  currency char(3) PRIMARY KEY,
  rate numeric(18, 8) NOT NULL
);
