package com.silknote.sync.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.port.FilesetClaims;
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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Issue 11 scale-out: SKIP LOCKED claims shared by several workers on separate connections. */
class JdbiFilesetClaimsTest {
    static final RunId RUN = RunId.of("run-1");
    static final FencingToken TOKEN = FencingToken.of(1);
    JdbcLedger ledger = PostgresFixture.sharedThrowawayLedger();
    JdbiFilesetClaims claims = ledger.filesetClaims();

    @BeforeEach
    void empty() {
        PostgresFixture.truncate(ledger.dataSource());
    }

    private void finish(FilesetClaims.Claim c, boolean ok) {
        ledger.documentStore().recordFilesetReport(TOKEN, c.run(), new FilesetReport(c.fileset(),
                ok ? FilesetOutcome.COMPLETED : FilesetOutcome.FAILED, ok ? Optional.empty() : Optional.of("x"),
                List.of(), Duration.ZERO, 0, 0), Optional.of(c));
    }

    @Test
    @DisplayName("issue 11 scale-out: six workers on their own connections claim every fileset exactly once")
    void workersClaimEveryFilesetExactlyOnce() throws Exception {
        List<FilesetId> filesets = IntStream.range(0, 300).mapToObj(i -> FilesetId.of(String.format("fs-%04d", i)))
                .toList();
        claims.open(RUN, TOKEN);
        claims.offer(RUN, filesets);
        claims.offer(RUN, filesets.subList(0, 10)); // offering again keeps one claim row
        claims.allOffered(RUN);
        int workers = 6;
        ConcurrentLinkedQueue<FilesetId> claimed = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            String worker = "w" + w;
            futures.add(pool.submit(() -> {
                go.await();
                for (Optional<FilesetClaims.Claim> next = claims.claimNext(RUN, worker, Duration.ofMinutes(5));
                        next.isPresent(); next = claims.claimNext(RUN, worker, Duration.ofMinutes(5))) {
                    claimed.add(next.get().fileset());
                    finish(next.get(), true);
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
        assertThat(claims.unfinished(RUN)).isZero();
        assertThat(claims.completions(RUN, 0, 1000)).hasSize(300);
    }

    @Test
    void filesetsComeInOfferOrderAndAnExpiredClaimIsClaimedAgain() {
        claims.open(RUN, TOKEN);
        claims.offer(RUN, List.of(FilesetId.of("b"), FilesetId.of("a")));
        FilesetClaims.Claim b1 = claims.claimNext(RUN, "w1", Duration.ofMinutes(5)).orElseThrow();
        FilesetClaims.Claim a2 = claims.claimNext(RUN, "w2", Duration.ofMinutes(5)).orElseThrow();
        assertThat(List.of(b1.fileset(), a2.fileset())).containsExactly(FilesetId.of("b"), FilesetId.of("a"));
        assertThat(claims.claimNext(RUN, "w3", Duration.ofMinutes(5))).isEmpty();

        expireClaims();
        FilesetClaims.Claim b3 = claims.claimNext(RUN, "w3", Duration.ofMinutes(5)).orElseThrow();
        assertThat(b3.fileset()).isEqualTo(FilesetId.of("b"));
        assertThat(b3.token()).isGreaterThan(a2.token());
        finish(a2, false);
        finish(b3, true);
        expireClaims();
        assertThat(claims.claimNext(RUN, "w5", Duration.ofMinutes(5))).isEmpty();
        assertThat(claims.completions(RUN, 0, 10)).extracting(FilesetClaims.Completion::fileset)
                .containsExactly(FilesetId.of("a"), FilesetId.of("b"));
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
