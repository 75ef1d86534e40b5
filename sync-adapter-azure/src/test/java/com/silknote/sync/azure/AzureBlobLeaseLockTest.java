package com.silknote.sync.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.LeaseDurationType;
import com.azure.storage.blob.models.LeaseStateType;
import com.azure.storage.blob.options.BlobBreakLeaseOptions;
import com.azure.storage.blob.specialized.BlobLeaseClientBuilder;
import com.silknote.sync.core.exception.LeaseLostException;
import com.silknote.sync.core.model.LockStatus;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Azure-specific behaviour of {@link AzureBlobLeaseLock} against a real Azurite. */
class AzureBlobLeaseLockTest {

    private static final String NAME = "vsrx-sync";
    private final Azurite azurite = Azurite.shared();
    private final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
    private final List<SyncLock.Lease> opened = new ArrayList<>();
    private BlobContainerClient container;
    private long seed = 1;

    @BeforeEach
    void setUp() {
        container = azurite.newContainer();
    }

    @AfterEach
    void closeLeases() {
        opened.forEach(SyncLock.Lease::close);
    }

    private AzureBlobLeaseLock lock(String holder) {
        return AzureBlobLeaseLock.builder().container(container)
                .config(AzureBlobLeaseLockConfig.defaults(holder))
                .clock(clock).random(new SplittableRandom(seed++)).build();
    }

    private Optional<SyncLock.Lease> take(AzureBlobLeaseLock lock, Duration ttl) {
        Optional<SyncLock.Lease> lease = lock.tryAcquire(NAME, ttl);
        lease.ifPresent(opened::add);
        return lease;
    }

    private BlobProperties raw() {
        return container.getBlobClient("locks/" + NAME).getProperties();
    }

    private void breakLease() {
        new BlobLeaseClientBuilder().blobClient(container.getBlobClient("locks/" + NAME)).buildClient()
                .breakLeaseWithResponse(new BlobBreakLeaseOptions().setBreakPeriod(Duration.ZERO), null, null);
    }

    @ParameterizedTest(name = "ttl {0} -> {1} s")
    @CsvSource({"PT1S,15", "PT15S,15", "PT30.5S,31", "PT60S,60", "PT5M,60"})
    void ttlMapsOntoAzureLeaseDurations(Duration ttl, int seconds) {
        assertThat(AzureBlobLeaseLock.leaseSeconds(ttl)).isEqualTo(seconds);
    }

    @Test
    void holdsAFixedAzureLeaseAndRecordsTokenHolderAndExpiry() {
        SyncLock.Lease lease = take(lock("host-a"), Duration.ofMinutes(5)).orElseThrow();

        BlobProperties p = raw();
        assertThat(p.getLeaseState()).isEqualTo(LeaseStateType.LEASED);
        assertThat(p.getLeaseDuration()).isEqualTo(LeaseDurationType.FIXED);
        assertThat(p.getMetadata()).containsEntry("generation", Long.toString(lease.token().value()))
                .containsEntry("holder", "host-a").containsEntry("expiresat", "2026-01-01T00:05:00Z");
        assertThat(lock("host-b").inspect(NAME)).contains(new LockStatus(NAME, "host-a", lease.token(),
                Instant.parse("2026-01-01T00:05:00Z")));
        assertThat(take(lock("host-b"), Duration.ofMinutes(5))).isEmpty();
    }

    @Test
    void releaseFreesTheLockAndTokensRise() {
        AzureBlobLeaseLock a = lock("host-a");
        SyncLock.Lease first = take(a, Duration.ofSeconds(30)).orElseThrow();
        first.close();
        first.close();

        assertThat(a.inspect(NAME)).isEmpty();
        SyncLock.Lease second = take(lock("host-b"), Duration.ofSeconds(30)).orElseThrow();
        assertThat(second.token()).isGreaterThan(first.token());
        assertThatThrownBy(() -> first.renew(Duration.ofSeconds(30))).isInstanceOf(LeaseLostException.class);
    }

    @Test
    void aBrokenLeaseIsLostAndTheNextHolderGetsAHigherToken() {
        SyncLock.Lease first = take(lock("host-a"), Duration.ofMinutes(5)).orElseThrow();
        breakLease();

        SyncLock.Lease second = take(lock("host-b"), Duration.ofMinutes(5)).orElseThrow();

        assertThat(second.token()).isGreaterThan(first.token());
        assertThatThrownBy(() -> first.renew(Duration.ofMinutes(5))).isInstanceOf(LeaseLostException.class);
        assertThatCode(first::close).doesNotThrowAnyException();
        assertThat(raw().getLeaseState()).isEqualTo(LeaseStateType.LEASED);
        assertThat(raw().getMetadata()).containsEntry("holder", "host-b");
        second.renew(Duration.ofMinutes(5));
    }

    @Test
    void aBrokenLeaseIsNoticedByTheKeepAlive() {
        AzureBlobLeaseLock.AzureLease lease = (AzureBlobLeaseLock.AzureLease) take(lock("host-a"),
                Duration.ofMinutes(5)).orElseThrow();
        assertThat(lease.keepAliveRunning()).isTrue();
        lease.keepAlive();
        assertThat(raw().getLeaseState()).isEqualTo(LeaseStateType.LEASED);

        breakLease();
        lease.keepAlive();

        assertThat(lease.keepAliveRunning()).isFalse();
        assertThatThrownBy(() -> lease.renew(Duration.ofMinutes(5))).isInstanceOf(LeaseLostException.class);
    }

    @Test
    void keepAliveStopsAtTheHoldersDeadline() {
        AzureBlobLeaseLock.AzureLease lease = (AzureBlobLeaseLock.AzureLease) take(lock("host-a"),
                Duration.ofMinutes(2)).orElseThrow();
        clock.advance(Duration.ofMinutes(1));
        lease.renew(Duration.ofMinutes(2));
        clock.advance(Duration.ofMinutes(2).minusSeconds(1));
        lease.keepAlive();
        assertThat(lease.keepAliveRunning()).isTrue();

        clock.advance(Duration.ofSeconds(1));
        lease.keepAlive();

        assertThat(lease.keepAliveRunning()).isFalse();
    }

    @Test
    void aLeasePastItsRecordedExpiryAndTheGraceIsBrokenByTheNextAcquirer() {
        SyncLock.Lease stale = take(lock("host-a"), Duration.ofMinutes(5)).orElseThrow();
        Duration grace = AzureBlobLeaseLockConfig.defaults("x").expiredLeaseGrace();

        clock.advance(Duration.ofMinutes(5).plus(grace));
        assertThat(take(lock("host-b"), Duration.ofMinutes(5))).as("still within the grace").isEmpty();

        clock.advance(Duration.ofSeconds(1));
        SyncLock.Lease next = take(lock("host-b"), Duration.ofMinutes(5)).orElseThrow();

        assertThat(next.token()).isGreaterThan(stale.token());
        assertThatThrownBy(() -> stale.renew(Duration.ofMinutes(5))).isInstanceOf(LeaseLostException.class);
    }

    @Test
    void renewMovesTheRecordedExpirySoTheLeaseIsNotBroken() {
        SyncLock.Lease lease = take(lock("host-a"), Duration.ofMinutes(5)).orElseThrow();
        clock.advance(Duration.ofMinutes(4));
        lease.renew(Duration.ofMinutes(5));
        clock.advance(Duration.ofMinutes(5));

        assertThat(take(lock("host-b"), Duration.ofMinutes(5))).isEmpty();
        assertThat(raw().getMetadata()).containsEntry("expiresat", "2026-01-01T00:09:00Z");
        lease.renew(Duration.ofMinutes(5));
    }

    @Test
    void concurrentAcquirersGetOneLease() throws Exception {
        int n = 6;
        CyclicBarrier start = new CyclicBarrier(n);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Optional<SyncLock.Lease>>> tries = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                AzureBlobLeaseLock lock = lock("host-" + i);
                tries.add(pool.submit(() -> {
                    start.await();
                    return take(lock, Duration.ofMinutes(1));
                }));
            }
            int winners = 0;
            for (Future<Optional<SyncLock.Lease>> f : tries) {
                winners += f.get().isPresent() ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
            assertThat(raw().getMetadata()).containsEntry("generation", "1");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void rejectsNamesThatAreNotPlainIdentifiers() {
        AzureBlobLeaseLock lock = lock("host-a");
        assertThatThrownBy(() -> lock.tryAcquire("../x", Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> lock.tryAcquire(NAME, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
