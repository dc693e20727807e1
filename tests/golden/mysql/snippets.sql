-- identifiers
IDN_OAUTH2_ACCESS_TOKEN
`weird"name``]x`
`select`
-- string literal
'it''s a \\ test'
-- upsert
INSERT INTO IDN_OAUTH2_ACCESS_TOKEN (TOKEN_ID, TOKEN_STATE, TIME_CREATED) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE TOKEN_ID = IF(TOKEN_ID <=> VALUES(TOKEN_ID), TOKEN_ID, NULL), TOKEN_STATE = VALUES(TOKEN_STATE), TIME_CREATED = VALUES(TIME_CREATED)
-- upsert, names stored in lower case
INSERT INTO idn_oauth2_access_token (token_id, token_state, time_created) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE token_id = IF(token_id <=> VALUES(token_id), token_id, NULL), token_state = VALUES(token_state), time_created = VALUES(time_created)
-- any row
SELECT 1 FROM IDN_OAUTH2_ACCESS_TOKEN LIMIT 1
-- keyset first page
SELECT TENANT_ID, USER_NAME, DATA_KEY, DATA_VALUE FROM IDN_IDENTITY_USER_DATA ORDER BY TENANT_ID, USER_NAME, DATA_KEY LIMIT 1000
-- keyset next page
SELECT TENANT_ID, USER_NAME, DATA_KEY, DATA_VALUE FROM IDN_IDENTITY_USER_DATA WHERE (TENANT_ID, USER_NAME, DATA_KEY) > (?, ?, ?) ORDER BY TENANT_ID, USER_NAME, DATA_KEY LIMIT 1000
-- timestamp plus milliseconds
TIMESTAMPADD(MICROSECOND, (VALIDITY_PERIOD) * 1000, TIME_CREATED)
-- load lock, before begin
SELECT GET_LOCK(CONCAT('cutover_load_', MD5(DATABASE())), 31536000)
-- load lock, in transaction
-- load lock, after end
SELECT RELEASE_LOCK(CONCAT('cutover_load_', MD5(DATABASE())))
-- drop table
DROP TABLE IDN_OAUTH_CONSUMER_APPS
