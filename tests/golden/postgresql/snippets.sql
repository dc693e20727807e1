-- identifiers
IDN_OAUTH2_ACCESS_TOKEN
"weird""name`]x"
"select"
-- string literal
'it''s a \ test'
-- upsert
INSERT INTO "IDN_OAUTH2_ACCESS_TOKEN" ("TOKEN_ID", "TOKEN_STATE", "TIME_CREATED") VALUES ($1, $2, $3) ON CONFLICT ("TOKEN_ID") DO UPDATE SET "TOKEN_STATE" = EXCLUDED."TOKEN_STATE", "TIME_CREATED" = EXCLUDED."TIME_CREATED"
-- upsert, names stored in lower case
INSERT INTO idn_oauth2_access_token (token_id, token_state, time_created) VALUES ($1, $2, $3) ON CONFLICT (token_id) DO UPDATE SET token_state = EXCLUDED.token_state, time_created = EXCLUDED.time_created
-- any row
SELECT 1 FROM "IDN_OAUTH2_ACCESS_TOKEN" LIMIT 1
-- keyset first page
SELECT "TENANT_ID", "USER_NAME", "DATA_KEY", "DATA_VALUE" FROM "IDN_IDENTITY_USER_DATA" ORDER BY "TENANT_ID", "USER_NAME", "DATA_KEY" LIMIT 1000
-- keyset next page
SELECT "TENANT_ID", "USER_NAME", "DATA_KEY", "DATA_VALUE" FROM "IDN_IDENTITY_USER_DATA" WHERE ("TENANT_ID", "USER_NAME", "DATA_KEY") > ($1, $2, $3) ORDER BY "TENANT_ID", "USER_NAME", "DATA_KEY" LIMIT 1000
-- timestamp plus milliseconds
(TIME_CREATED + (VALIDITY_PERIOD) * INTERVAL '1 millisecond')
-- load lock, before begin
-- load lock, in transaction
LOCK TABLE "IDP", "IDN_OAUTH2_ACCESS_TOKEN" IN SHARE ROW EXCLUSIVE MODE
-- load lock, after end
-- drop table
DROP TABLE IDN_OAUTH_CONSUMER_APPS
DROP SEQUENCE IDN_OAUTH_CONSUMER_APPS_PK_SEQ
