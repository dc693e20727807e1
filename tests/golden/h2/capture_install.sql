-- cutover change capture for h2: journal CUTOVER_JOURNAL, metadata CUTOVER_CAPTURE and row triggers on 4 tables
-- run as a user allowed to create tables and triggers on those tables
CREATE TABLE CUTOVER_JOURNAL (SEQ BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, TABLE_NAME VARCHAR(255) NOT NULL, OP CHAR(1) NOT NULL, K1 VARCHAR(512), K2 VARCHAR(512), K3 VARCHAR(512), K4 VARCHAR(512), TXID BIGINT, CREATED_MS BIGINT NOT NULL);
CREATE TABLE CUTOVER_CAPTURE (TABLE_NAME VARCHAR(255) NOT NULL, POS INTEGER NOT NULL, VAL VARCHAR(255) NOT NULL, PRIMARY KEY (TABLE_NAME, POS));
INSERT INTO CUTOVER_CAPTURE (TABLE_NAME, POS, VAL) VALUES ('*', 0, '0123456789abcdef');
INSERT INTO CUTOVER_CAPTURE (TABLE_NAME, POS, VAL) VALUES ('*', 1, '1');
INSERT INTO CUTOVER_CAPTURE (TABLE_NAME, POS, VAL) VALUES ('*', 2, 'installing');
INSERT INTO CUTOVER_CAPTURE (TABLE_NAME, POS, VAL) VALUES ('IDN_OAUTH2_ACCESS_TOKEN', 0, 'installing');
INSERT INTO CUTOVER_CAPTURE (TABLE_NAME, POS, VAL) VALUES ('IDN_OAUTH2_ACCESS_TOKEN', 1, 'TOKEN_ID');
CREATE TRIGGER CO_IDN_OAUTH2_ACCESS_TOKEN_TRG AFTER INSERT, UPDATE, DELETE ON IDN_OAUTH2_ACCESS_TOKEN FOR EACH ROW AS $$
import java.sql.*;
import java.util.Objects;
@CODE
org.h2.api.Trigger create() {
    return new org.h2.api.Trigger() {
        private final String[] keys = {"TOKEN_ID"};
        private final int[] at = new int[keys.length];
        private String table;

        public void init(Connection conn, String schema, String trigger, String table,
                boolean before, int type) throws SQLException {
            this.table = table;
            try (PreparedStatement ps = conn.prepareStatement("SELECT ORDINAL_POSITION"
                    + " FROM INFORMATION_SCHEMA.COLUMNS"
                    + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = ?")) {
                for (int i = 0; i < keys.length; i++) {
                    ps.setString(1, schema);
                    ps.setString(2, table);
                    ps.setString(3, keys[i]);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new SQLException("cutover capture: no column " + keys[i]
                                    + " in " + table + "; run cutover sync remove and prepare");
                        }
                        at[i] = rs.getInt(1) - 1;
                    }
                }
            }
        }

        public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
            try (Statement st = conn.createStatement();
                    ResultSet rs = st.executeQuery("SELECT @cutover_applying")) {
                if (rs.next() && "on".equals(rs.getString(1))) {
                    return;
                }
            }
            if (oldRow != null && (newRow == null || !sameKey(oldRow, newRow))) {
                journal(conn, newRow == null ? "D" : "U", oldRow);
            }
            if (newRow != null) {
                journal(conn, oldRow == null ? "I" : "U", newRow);
            }
        }

        private boolean sameKey(Object[] a, Object[] b) {
            for (int i : at) {
                if (!Objects.deepEquals(a[i], b[i])) {
                    return false;
                }
            }
            return true;
        }

        private void journal(Connection conn, String op, Object[] row) throws SQLException {
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO CUTOVER_JOURNAL (TABLE_NAME, OP, K1, CREATED_MS) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, table);
                ps.setString(2, op);
                for (int i = 0; i < at.length; i++) {
                    ps.setObject(3 + i, row[at[i]]);
                }
                ps.setLong(3 + at.length, System.currentTimeMillis());
                ps.executeUpdate();
            }
        }

        public void close() {
        }

        public void remove() {
        }
    };
}
$$;
UPDATE CUTOVER_CAPTURE SET VAL = 'ready' WHERE TABLE_NAME = 'IDN_OAUTH2_ACCESS_TOKEN' AND POS = 0;
INSERT INTO CUTOVER_CAPTURE (TABLE_NAME, POS, VAL) VALUES ('IDN_IDENTITY_USER_DATA', 0, 'installing');
INSERT INTO CUTOVER_CAPTURE (TABLE_NAME, POS, VAL) VALUES ('IDN_IDENTITY_USER_DATA', 1, 'TENANT_ID');
INSERT INTO CUTOVER_CAPTURE (TABLE_NAME, POS, VAL) VALUES ('IDN_IDENTITY_USER_DATA', 2, 'USER_NAME');
INSERT INTO CUTOVER_CAPTURE (TABLE_NAME, POS, VAL) VALUES ('IDN_IDENTITY_USER_DATA', 3, 'DATA_KEY');
CREATE TRIGGER CO_IDN_IDENTITY_USER_DATA_TRG AFTER INSERT, UPDATE, DELETE ON IDN_IDENTITY_USER_DATA FOR EACH ROW AS $$
import java.sql.*;
import java.util.Objects;
@CODE
org.h2.api.Trigger create() {
    return new org.h2.api.Trigger() {
        private final String[] keys = {"TENANT_ID", "USER_NAME", "DATA_KEY"};
        private final int[] at = new int[keys.length];
        private String table;

        public void init(Connection conn, String schema, String trigger, String table,
                boolean before, int type) throws SQLException {
            this.table = table;
            try (PreparedStatement ps = conn.prepareStatement("SELECT ORDINAL_POSITION"
                    + " FROM INFORMATION_SCHEMA.COLUMNS"
                    + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = ?")) {
                for (int i = 0; i < keys.length; i++) {
                    ps.setString(1, schema);
                    ps.setString(2, table);
                    ps.setString(3, keys[i]);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new SQLException("cutover capture: no column " + keys[i]
                                    + " in " + table + "; run cutover sync remove and prepare");
                        }
                        at[i] = rs.getInt(1) - 1;
                    }
                }
            }
        }

        public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
            try (Statement st = conn.createStatement();
                    ResultSet rs = st.executeQuery("SELECT @cutover_applying")) {
                if (rs.next() && "on".equals(rs.getString(1))) {
                    return;
                }
            }
            if (oldRow != null && (newRow == null || !sameKey(oldRow, newRow))) {
                journal(conn, newRow == null ? "D" : "U", oldRow);
            }
            if (newRow != null) {
                journal(conn, oldRow == null ? "I" : "U", newRow);
            }
        }

        private boolean sameKey(Object[] a, Object[] b) {
            for (int i : at) {
                if (!Objects.deepEquals(a[i], b[i])) {
                    return false;
                }
            }
            return true;
        }

        private void journal(Connection conn, String op, Object[] row) throws SQLException {
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO CUTOVER_JOURNAL (TABLE_NAME, OP, K1, K2, K3, CREATED_MS) VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, table);
                ps.setString(2, op);
                for (int i = 0; i < at.length; i++) {
                    ps.setObject(3 + i, row[at[i]]);
                }
                ps.setLong(3 + at.length, System.currentTimeMillis());
                ps.executeUpdate();
            }
        }

        public void close() {
        }

        public void remove() {
        }
    };
}
$$;
UPDATE CUTOVER_CAPTURE SET VAL = 'ready' WHERE TABLE_NAME = 'IDN_IDENTITY_USER_DATA' AND POS = 0;
INSERT INTO CUTOVER_CAPTURE (TABLE_NAME, POS, VAL) VALUES ('IDN_AUTH_SESSION_STORE', 0, 'installing');
INSERT INTO CUTOVER_CAPTURE (TABLE_NAME, POS, VAL) VALUES ('IDN_AUTH_SESSION_STORE', 1, 'SESSION_ID');
INSERT INTO CUTOVER_CAPTURE (TABLE_NAME, POS, VAL) VALUES ('IDN_AUTH_SESSION_STORE', 2, 'SESSION_TYPE');
INSERT INTO CUTOVER_CAPTURE (TABLE_NAME, POS, VAL) VALUES ('IDN_AUTH_SESSION_STORE', 3, 'TIME_CREATED');
INSERT INTO CUTOVER_CAPTURE (TABLE_NAME, POS, VAL) VALUES ('IDN_AUTH_SESSION_STORE', 4, 'OPERATION');
CREATE TRIGGER CO_IDN_AUTH_SESSION_STORE_TRG AFTER INSERT, UPDATE, DELETE ON IDN_AUTH_SESSION_STORE FOR EACH ROW AS $$
import java.sql.*;
import java.util.Objects;
@CODE
org.h2.api.Trigger create() {
    return new org.h2.api.Trigger() {
        private final String[] keys = {"SESSION_ID", "SESSION_TYPE", "TIME_CREATED", "OPERATION"};
        private final int[] at = new int[keys.length];
        private String table;

        public void init(Connection conn, String schema, String trigger, String table,
                boolean before, int type) throws SQLException {
            this.table = table;
            try (PreparedStatement ps = conn.prepareStatement("SELECT ORDINAL_POSITION"
                    + " FROM INFORMATION_SCHEMA.COLUMNS"
                    + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = ?")) {
                for (int i = 0; i < keys.length; i++) {
                    ps.setString(1, schema);
                    ps.setString(2, table);
                    ps.setString(3, keys[i]);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new SQLException("cutover capture: no column " + keys[i]
                                    + " in " + table + "; run cutover sync remove and prepare");
                        }
                        at[i] = rs.getInt(1) - 1;
                    }
                }
            }
        }

        public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
            try (Statement st = conn.createStatement();
                    ResultSet rs = st.executeQuery("SELECT @cutover_applying")) {
                if (rs.next() && "on".equals(rs.getString(1))) {
                    return;
                }
            }
            if (oldRow != null && (newRow == null || !sameKey(oldRow, newRow))) {
                journal(conn, newRow == null ? "D" : "U", oldRow);
            }
            if (newRow != null) {
                journal(conn, oldRow == null ? "I" : "U", newRow);
            }
        }

        private boolean sameKey(Object[] a, Object[] b) {
            for (int i : at) {
                if (!Objects.deepEquals(a[i], b[i])) {
                    return false;
                }
            }
            return true;
        }

        private void journal(Connection conn, String op, Object[] row) throws SQLException {
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO CUTOVER_JOURNAL (TABLE_NAME, OP, K1, K2, K3, K4, CREATED_MS) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, table);
                ps.setString(2, op);
                for (int i = 0; i < at.length; i++) {
                    ps.setObject(3 + i, row[at[i]]);
                }
                ps.setLong(3 + at.length, System.currentTimeMillis());
                ps.executeUpdate();
            }
        }

        public void close() {
        }

        public void remove() {
        }
    };
}
$$;
UPDATE CUTOVER_CAPTURE SET VAL = 'ready' WHERE TABLE_NAME = 'IDN_AUTH_SESSION_STORE' AND POS = 0;
INSERT INTO CUTOVER_CAPTURE (TABLE_NAME, POS, VAL) VALUES ('we"ird;name$$', 0, 'installing');
INSERT INTO CUTOVER_CAPTURE (TABLE_NAME, POS, VAL) VALUES ('we"ird;name$$', 1, 'k"1');
CREATE TRIGGER CO_WE_IRD_NAME___2055CC64_TRG AFTER INSERT, UPDATE, DELETE ON "we""ird;name$$" FOR EACH ROW AS $$
import java.sql.*;
import java.util.Objects;
@CODE
org.h2.api.Trigger create() {
    return new org.h2.api.Trigger() {
        private final String[] keys = {"k\"1"};
        private final int[] at = new int[keys.length];
        private String table;

        public void init(Connection conn, String schema, String trigger, String table,
                boolean before, int type) throws SQLException {
            this.table = table;
            try (PreparedStatement ps = conn.prepareStatement("SELECT ORDINAL_POSITION"
                    + " FROM INFORMATION_SCHEMA.COLUMNS"
                    + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLUMN_NAME = ?")) {
                for (int i = 0; i < keys.length; i++) {
                    ps.setString(1, schema);
                    ps.setString(2, table);
                    ps.setString(3, keys[i]);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new SQLException("cutover capture: no column " + keys[i]
                                    + " in " + table + "; run cutover sync remove and prepare");
                        }
                        at[i] = rs.getInt(1) - 1;
                    }
                }
            }
        }

        public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
            try (Statement st = conn.createStatement();
                    ResultSet rs = st.executeQuery("SELECT @cutover_applying")) {
                if (rs.next() && "on".equals(rs.getString(1))) {
                    return;
                }
            }
            if (oldRow != null && (newRow == null || !sameKey(oldRow, newRow))) {
                journal(conn, newRow == null ? "D" : "U", oldRow);
            }
            if (newRow != null) {
                journal(conn, oldRow == null ? "I" : "U", newRow);
            }
        }

        private boolean sameKey(Object[] a, Object[] b) {
            for (int i : at) {
                if (!Objects.deepEquals(a[i], b[i])) {
                    return false;
                }
            }
            return true;
        }

        private void journal(Connection conn, String op, Object[] row) throws SQLException {
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO CUTOVER_JOURNAL (TABLE_NAME, OP, K1, CREATED_MS) VALUES (?, ?, ?, ?)")) {
                ps.setString(1, table);
                ps.setString(2, op);
                for (int i = 0; i < at.length; i++) {
                    ps.setObject(3 + i, row[at[i]]);
                }
                ps.setLong(3 + at.length, System.currentTimeMillis());
                ps.executeUpdate();
            }
        }

        public void close() {
        }

        public void remove() {
        }
    };
}
$$;
UPDATE CUTOVER_CAPTURE SET VAL = 'ready' WHERE TABLE_NAME = 'we"ird;name$$' AND POS = 0;
UPDATE CUTOVER_CAPTURE SET VAL = 'ready' WHERE TABLE_NAME = '*' AND POS = 2;
