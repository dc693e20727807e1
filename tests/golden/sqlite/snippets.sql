-- identifiers
IDN_OAUTH2_ACCESS_TOKEN
"weird""name`]x"
"select"
-- string literal
'it''s a \ test'
-- upsert
INSERT INTO IDN_OAUTH2_ACCESS_TOKEN (TOKEN_ID, TOKEN_STATE, TIME_CREATED) VALUES (?, ?, ?) ON CONFLICT (TOKEN_ID) DO UPDATE SET TOKEN_STATE = excluded.TOKEN_STATE, TIME_CREATED = excluded.TIME_CREATED
-- upsert, names stored in lower case
INSERT INTO idn_oauth2_access_token (token_id, token_state, time_created) VALUES (?, ?, ?) ON CONFLICT (token_id) DO UPDATE SET token_state = excluded.token_state, time_created = excluded.time_created
-- any row
SELECT 1 FROM IDN_OAUTH2_ACCESS_TOKEN LIMIT 1
-- keyset first page
SELECT TENANT_ID, USER_NAME, DATA_KEY, DATA_VALUE FROM IDN_IDENTITY_USER_DATA ORDER BY TENANT_ID, USER_NAME, DATA_KEY LIMIT 1000
-- keyset next page
SELECT TENANT_ID, USER_NAME, DATA_KEY, DATA_VALUE FROM IDN_IDENTITY_USER_DATA WHERE (TENANT_ID, USER_NAME, DATA_KEY) > (?, ?, ?) ORDER BY TENANT_ID, USER_NAME, DATA_KEY LIMIT 1000
-- timestamp plus milliseconds
datetime(julianday(TIME_CREATED) + (VALIDITY_PERIOD) / 86400000.0)
-- load lock, before begin
-- load lock, in transaction
-- load lock, after end
-- drop table
DROP TABLE IDN_OAUTH_CONSUMER_APPS
