package com.silknote.sync.testkit.history;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The paused-runner step's gate (DESIGN rule 9: a paused holder's late writes are refused, and a run refused
 * while the lease is held touches nothing). The step treats runner A as paused while B runs; a run has several
 * threads, so "paused" must mean that none of A's threads reaches a store until the gate opens.
 */
class GateTest {

    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() throws InterruptedException {
        threads.shutdownNow();
        assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aCallOfAnotherThreadAfterThePauseWaitsToo() throws Exception {
        GatedDocumentStore.Gate gate = new GatedDocumentStore.Gate(1);
        AtomicInteger reached = new AtomicInteger();
        Future<?> first = threads.submit(() -> gate.call(false, reached::incrementAndGet));
        assertThat(gate.awaitPausedOrDone()).isTrue();
        Future<?> second = threads.submit(() -> gate.call(false, reached::incrementAndGet));
        awaitUntil(() -> gate.waiting() == 2 || second.isDone());

        assertThat(reached).hasValue(0);
        gate.open();
        first.get(30, TimeUnit.SECONDS);
        second.get(30, TimeUnit.SECONDS);
        assertThat(reached).hasValue(2);
    }

    @Test
    void theRunnerIsHeldOnlyOnceNoCallOfItIsUnderWay() throws Exception {
        GatedDocumentStore.Gate gate = new GatedDocumentStore.Gate(2);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Future<?> slow = threads.submit(() -> gate.call(false, () -> {
            inside.countDown();
            await(finish);
            return null;
        }));
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
        Future<?> paused = threads.submit(() -> gate.call(false, () -> null));
        awaitUntil(() -> gate.waiting() == 1);

        assertThat(gate.held()).as("a write of another thread is still under way").isFalse();
        finish.countDown();
        slow.get(30, TimeUnit.SECONDS);
        assertThat(gate.awaitPausedOrDone()).isTrue();
        assertThat(gate.held()).isTrue();
        gate.open();
        paused.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aPauseInsideACallHoldsThatThreadWithoutWaitingForItsOuterCall() throws Exception {
        GatedDocumentStore.Gate gate = new GatedDocumentStore.Gate(2);
        AtomicInteger reached = new AtomicInteger();
        Future<?> unit = threads.submit(() -> gate.call(true, () -> gate.call(false, reached::incrementAndGet)));

        assertThat(gate.awaitPausedOrDone()).isTrue();
        assertThat(reached).hasValue(0);
        gate.open();
        unit.get(30, TimeUnit.SECONDS);
        assertThat(reached).hasValue(1);
    }

    @Test
    void aCallInsideACallAlreadyUnderWayIsNotHeld() throws Exception {
        GatedDocumentStore.Gate gate = new GatedDocumentStore.Gate(2);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch nest = new CountDownLatch(1);
        AtomicInteger nested = new AtomicInteger();
        Future<?> unit = threads.submit(() -> gate.call(true, () -> {
            inside.countDown();
            await(nest);
            return gate.call(false, nested::incrementAndGet);
        }));
        assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
        Future<?> paused = threads.submit(() -> gate.call(false, () -> null));
        awaitUntil(() -> gate.waiting() == 1);

        nest.countDown();
        unit.get(30, TimeUnit.SECONDS); // held, it would wait for the gate while the gate waits for it
        assertThat(nested).hasValue(1);
        assertThat(gate.awaitPausedOrDone()).isTrue();
        gate.open();
        paused.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aRunnerThatFinishesBeforeThePauseIsReportedDone() {
        GatedDocumentStore.Gate gate = new GatedDocumentStore.Gate(5);
        gate.call(false, () -> null);
        gate.runnerDone();

        assertThat(gate.awaitPausedOrDone()).isFalse();
    }

    private static void awaitUntil(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 30 s for the runner's threads").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(30, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
