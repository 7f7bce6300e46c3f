-- The legacy system's database and the new service's own database, on one server for the demo.
-- In a real migration they are separate servers: the new service never reads the legacy one.
CREATE DATABASE strangler_legacy;
CREATE DATABASE strangler_new;
