package com.silknote.sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.RunId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SKIP LOCKED claims shared by several workers on separate connections. */
class JdbiFilesetClaimsTest {
    static final RunId RUN = RunId.of("run-1");
    JdbcLedger ledger = PostgresFixture.sharedThrowawayLedger();
    JdbiFilesetClaims claims = ledger.filesetClaims();

    @BeforeEach
    void empty() {
        PostgresFixture.truncate(ledger.dataSource());
    }

    @Test
    void workersClaimEveryFilesetExactlyOnce() throws Exception {
        List<FilesetId> filesets = IntStream.range(0, 300).mapToObj(i -> FilesetId.of(String.format("fs-%04d", i))).toList();
        claims.offer(RUN, filesets);
        claims.offer(RUN, filesets.subList(0, 10)); // offering again keeps one claim row
        int workers = 6;
        ConcurrentLinkedQueue<FilesetId> claimed = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            String worker = "w" + w;
            futures.add(pool.submit(() -> {
                go.await();
                for (Optional<FilesetId> next = claims.claimNext(RUN, worker, Duration.ofMinutes(5)); next.isPresent();
                        next = claims.claimNext(RUN, worker, Duration.ofMinutes(5))) {
                    claimed.add(next.get());
                    claims.complete(RUN, next.get(), worker, true);
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(claimed).hasSize(300).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(filesets);
        assertThat(claims.claimNext(RUN, "late", Duration.ofMinutes(5))).isEmpty();
    }

    @Test
    void filesetsComeInOfferOrderAndAnExpiredClaimIsClaimedAgain() {
        claims.offer(RUN, List.of(FilesetId.of("b"), FilesetId.of("a")));
        claims.offer(RunId.of("other-run"), List.of(FilesetId.of("c")));
        assertThat(claims.claimNext(RUN, "w1", Duration.ofMinutes(5))).contains(FilesetId.of("b"));
        assertThat(claims.claimNext(RUN, "w2", Duration.ofMinutes(5))).contains(FilesetId.of("a"));
        assertThat(claims.claimNext(RUN, "w3", Duration.ofMinutes(5))).isEmpty();

        expireClaims();
        assertThat(claims.claimNext(RUN, "w3", Duration.ofMinutes(5))).contains(FilesetId.of("b"));
        // the first worker lost its claim: its completion does not count
        claims.complete(RUN, FilesetId.of("b"), "w1", true);
        claims.complete(RUN, FilesetId.of("a"), "w2", false);
        expireClaims();
        assertThat(claims.claimNext(RUN, "w4", Duration.ofMinutes(5))).contains(FilesetId.of("b"));
        claims.complete(RUN, FilesetId.of("b"), "w4", true);
        expireClaims();
        assertThat(claims.claimNext(RUN, "w5", Duration.ofMinutes(5))).isEmpty();
        assertThat(claims.claimNext(RunId.of("other-run"), "w5", Duration.ofMinutes(5))).contains(FilesetId.of("c"));
    }

    private void expireClaims() {
        try (Connection c = ledger.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE vsrx_sync_claim SET claimed_until = now() - interval '1 second' WHERE status = 'CLAIMED'")) {
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
