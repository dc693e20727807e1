-- identifiers
IDN_OAUTH2_ACCESS_TOKEN
"weird""name`]x"
"select"
-- string literal
'it''s a \ test'
-- upsert
MERGE INTO IDN_OAUTH2_ACCESS_TOKEN d USING (SELECT ? AS TOKEN_ID, ? AS TOKEN_STATE, ? AS TIME_CREATED FROM DUAL) s ON (d.TOKEN_ID = s.TOKEN_ID) WHEN MATCHED THEN UPDATE SET d.TOKEN_STATE = s.TOKEN_STATE, d.TIME_CREATED = s.TIME_CREATED WHEN NOT MATCHED THEN INSERT (TOKEN_ID, TOKEN_STATE, TIME_CREATED) VALUES (s.TOKEN_ID, s.TOKEN_STATE, s.TIME_CREATED)
-- upsert, names stored in lower case
MERGE INTO "idn_oauth2_access_token" d USING (SELECT ? AS "token_id", ? AS "token_state", ? AS "time_created" FROM DUAL) s ON (d."token_id" = s."token_id") WHEN MATCHED THEN UPDATE SET d."token_state" = s."token_state", d."time_created" = s."time_created" WHEN NOT MATCHED THEN INSERT ("token_id", "token_state", "time_created") VALUES (s."token_id", s."token_state", s."time_created")
-- any row
SELECT 1 FROM IDN_OAUTH2_ACCESS_TOKEN FETCH FIRST 1 ROWS ONLY
-- keyset first page
SELECT TENANT_ID, USER_NAME, DATA_KEY, DATA_VALUE FROM IDN_IDENTITY_USER_DATA ORDER BY TENANT_ID, USER_NAME, DATA_KEY FETCH FIRST 1000 ROWS ONLY
-- keyset next page
SELECT TENANT_ID, USER_NAME, DATA_KEY, DATA_VALUE FROM IDN_IDENTITY_USER_DATA WHERE (TENANT_ID > ?) OR (TENANT_ID = ? AND USER_NAME > ?) OR (TENANT_ID = ? AND USER_NAME = ? AND DATA_KEY > ?) ORDER BY TENANT_ID, USER_NAME, DATA_KEY FETCH FIRST 1000 ROWS ONLY
-- timestamp plus milliseconds
(TIME_CREATED + NUMTODSINTERVAL((VALIDITY_PERIOD) / 1000, 'SECOND'))
-- load lock, before begin
-- load lock, in transaction
LOCK TABLE IDP, IDN_OAUTH2_ACCESS_TOKEN IN SHARE ROW EXCLUSIVE MODE
-- load lock, after end
-- drop table
DROP TABLE IDN_OAUTH_CONSUMER_APPS
