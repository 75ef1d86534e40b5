package com.silknote.sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.exception.PermanentSyncException;
import com.silknote.sync.core.exception.SyncException;
import com.silknote.sync.core.exception.TransientSyncException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** SQL failures become transient or permanent sync exceptions with safe messages and the cause kept. */
class SqlErrorsTest {

    @ParameterizedTest
    @CsvSource({"08006,true", "08003,true", "40001,true", "40P01,true", "57P01,true", "55P03,true",
            "23505,false", "23502,false", "42P01,false", "22001,false"})
    void classifiesBySqlState(String state, boolean transientFailure) {
        SQLException sql = new SQLException("Key (patient)=(P-SECRET) already exists", state);
        SyncException e = SqlErrors.translate("write documents", new UnableToExecuteStatementException(sql, null));
        assertThat(e).isInstanceOf(transientFailure ? TransientSyncException.class : PermanentSyncException.class);
        assertThat(e.getMessage()).isEqualTo("write documents failed (SQLState " + state + ")");
        assertThat(e).hasRootCause(sql);
    }

    @Test
    void findsTheStateInsideBatchAndSuppressedExceptions() {
        SQLException real = new SQLException("deadlock", "40P01");
        BatchUpdateException batch = new BatchUpdateException("batch failed", null, 0, new int[0], null);
        batch.setNextException(real);
        assertThat(SqlErrors.translate("flush", batch)).isInstanceOf(TransientSyncException.class);

        RuntimeException outer = new IllegalStateException("restore failed", new SQLException("Connection is closed"));
        outer.addSuppressed(new SQLException("terminating connection", "57P01"));
        assertThat(SqlErrors.translate("flush", outer)).isInstanceOf(TransientSyncException.class);

        assertThat(SqlErrors.translate("pool", new SQLTransientConnectionException("timeout")))
                .isInstanceOf(TransientSyncException.class);
        assertThat(SqlErrors.translate("other", new IllegalStateException("no sql")))
                .isInstanceOf(PermanentSyncException.class).hasMessage("other failed");
    }
}
