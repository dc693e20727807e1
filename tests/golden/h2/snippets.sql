-- identifiers
IDN_OAUTH2_ACCESS_TOKEN
"weird""name`]x"
"select"
-- string literal
'it''s a \ test'
-- upsert
MERGE INTO IDN_OAUTH2_ACCESS_TOKEN (TOKEN_ID, TOKEN_STATE, TIME_CREATED) KEY (TOKEN_ID) VALUES (?, ?, ?)
-- upsert, names stored in lower case
MERGE INTO "idn_oauth2_access_token" ("token_id", "token_state", "time_created") KEY ("token_id") VALUES (?, ?, ?)
-- any row
SELECT 1 FROM IDN_OAUTH2_ACCESS_TOKEN LIMIT 1
-- keyset first page
SELECT TENANT_ID, USER_NAME, DATA_KEY, DATA_VALUE FROM IDN_IDENTITY_USER_DATA ORDER BY TENANT_ID, USER_NAME, DATA_KEY LIMIT 1000
-- keyset next page
SELECT TENANT_ID, USER_NAME, DATA_KEY, DATA_VALUE FROM IDN_IDENTITY_USER_DATA WHERE (TENANT_ID, USER_NAME, DATA_KEY) > (?, ?, ?) ORDER BY TENANT_ID, USER_NAME, DATA_KEY LIMIT 1000
-- timestamp plus milliseconds
DATEADD('MILLISECOND', VALIDITY_PERIOD, TIME_CREATED)
-- load lock, before begin
-- load lock, in transaction
-- load lock, after end
-- drop table
DROP TABLE IDN_OAUTH_CONSUMER_APPS
