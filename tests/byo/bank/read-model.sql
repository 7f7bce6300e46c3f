-- The new service's own tables: views fed by its event handler.
CREATE TABLE IF NOT EXISTS account_view (
  id text PRIMARY KEY,
  owner text NOT NULL,
  balance numeric NOT NULL,
  profile jsonb,
  statement text
);
CREATE TABLE IF NOT EXISTS hold_view (
  id text PRIMARY KEY,
  account_id text NOT NULL,
  amount numeric NOT NULL,
  note text
);
CREATE TABLE IF NOT EXISTS rate_view (
  currency text PRIMARY KEY,
  rate numeric NOT NULL
);
-- How often an event of each aggregate was applied: a second application of one event would show.
CREATE TABLE IF NOT EXISTS applied (
  aggregate_id text PRIMARY KEY,
  events integer NOT NULL
);
