package com.silknote.sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.LeaseLostException;
import com.silknote.sync.core.exception.StaleFencingTokenException;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.port.SyncLock;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The lease lock against real PostgreSQL: database time, fencing, several threads and connections. */
class JdbiSyncLockTest {
    static final String NAME = "vsrx-sync";
    JdbcLedger ledger = PostgresFixture.sharedThrowawayLedger();

    @BeforeEach
    void empty() {
        PostgresFixture.truncate(ledger.dataSource());
    }

    @Test
    void leaseExpiresByTheDatabaseClock() throws SQLException {
        var lease = ledger.syncLock("host-a").tryAcquire(NAME, Duration.ofMinutes(10)).orElseThrow();
        Instant dbNow;
        try (Connection c = ledger.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT now()")) {
            rs.next();
            dbNow = rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
        }
        var status = ledger.syncLock("other").inspect(NAME).orElseThrow();
        assertThat(status.holder()).isEqualTo("host-a");
        assertThat(status.token()).isEqualTo(lease.token());
        assertThat(Duration.between(dbNow, status.expiresAt())).isBetween(Duration.ofMinutes(9), Duration.ofMinutes(10));

        assertThat(ledger.syncLock("host-b").tryAcquire(NAME, Duration.ofMinutes(10))).isEmpty();
        LockTestSupport.forceExpiry(ledger.dataSource(), NAME);
        assertThat(ledger.syncLock("other").inspect(NAME)).isEmpty();
        var second = ledger.syncLock("host-b").tryAcquire(NAME, Duration.ofMinutes(10)).orElseThrow();
        assertThat(second.token()).isGreaterThan(lease.token());
        assertThatThrownBy(() -> lease.renew(Duration.ofMinutes(10))).isInstanceOf(LeaseLostException.class);
        lease.close(); // a lost lease closes quietly and does not release the new holder's
        assertThat(ledger.syncLock("host-c").tryAcquire(NAME, Duration.ofMinutes(10))).isEmpty();
        second.renew(Duration.ofMinutes(10));
        second.close();
        second.close();
        var third = ledger.syncLock("host-c").tryAcquire(NAME, Duration.ofMinutes(10)).orElseThrow();
        assertThat(third.token()).isGreaterThan(second.token());
    }

    @Test
    void threadsOnSeparateConnectionsNeverHoldTheLockTogetherAndTokensOnlyRise() throws Exception {
        int threads = 4;
        int rounds = 12;
        AtomicInteger holders = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        List<Long> tokens = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            SyncLock lock = ledger.syncLock("worker-" + t);
            futures.add(pool.submit(() -> {
                go.await();
                int acquired = 0;
                while (acquired < rounds) {
                    Optional<SyncLock.Lease> lease = lock.tryAcquire(NAME, Duration.ofMinutes(1));
                    if (lease.isEmpty()) {
                        Thread.yield();
                        continue;
                    }
                    try (SyncLock.Lease held = lease.get()) {
                        if (holders.incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        tokens.add(held.token().value());
                        held.renew(Duration.ofMinutes(1));
                        holders.decrementAndGet();
                    }
                    acquired++;
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(overlaps).hasValue(0);
        assertThat(tokens).hasSize(threads * rounds).doesNotHaveDuplicates();
        assertThat(tokens).isSorted();
    }

    @Test
    void concurrentWritersWithOldAndNewTokensNeverLetAnOldTokenWriteAfterANewOne() throws Exception {
        JdbiDocumentStore store = ledger.documentStore();
        SplittableRandom random = new SplittableRandom(42);
        int writers = 4;
        int writes = 15;
        ConcurrentLinkedQueue<Long> committed = new ConcurrentLinkedQueue<>();
        AtomicInteger stale = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            long seed = random.nextLong();
            futures.add(pool.submit(() -> {
                SplittableRandom r = new SplittableRandom(seed);
                for (int i = 0; i < writes; i++) {
                    long token = 1 + r.nextInt(40);
                    try {
                        store.inUnitOfWork(FencingToken.of(token), uow -> {
                            uow.upsertFileset(Samples.fileset(FilesetId.of("fs-" + token)));
                            return null;
                        });
                        committed.add(token);
                    } catch (StaleFencingTokenException e) {
                        stale.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        // the audit log lists commits in commit order: their tokens never go down
        List<Long> auditTokens = new ArrayList<>();
        try (Connection c = ledger.dataSource().getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT fencing_token FROM vsrx_sync_audit ORDER BY id")) {
            while (rs.next()) {
                auditTokens.add(rs.getLong(1));
            }
        }
        assertThat(auditTokens).hasSize(committed.size()).isSorted();
        assertThat(committed.size() + stale.get()).isEqualTo(writers * writes);
        assertThat(stale.get()).isPositive();
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> ledger.syncLock(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ledger.syncLock("a").tryAcquire(NAME, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JdbiSyncLock.builder().build()).isInstanceOf(IllegalStateException.class);
    }

}
