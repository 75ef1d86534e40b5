package com.silknote.sync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.ContentHash;
import org.junit.jupiter.api.Test;

class ContentRegistryTest {
    private static final ContentHash H = ContentHash.ofHex("a".repeat(64));
    private static final ContentHash OTHER = ContentHash.ofHex("b".repeat(64));

    @Test
    void contentInUseIsNotCollectedUntilEveryUserLeft() throws Exception {
        ContentRegistry r = new ContentRegistry();
        r.enter(H);
        r.enter(H);
        assertThat(r.tryBeginCollect(H)).isFalse();
        assertThat(r.tryBeginCollect(OTHER)).isTrue();
        r.leave(H);
        assertThat(r.tryBeginCollect(H)).isFalse();
        r.leave(H);
        assertThat(r.tryBeginCollect(H)).isTrue();
        assertThat(r.tryBeginCollect(H)).as("one collector at a time").isFalse();
        r.endCollect(H);
        r.endCollect(OTHER);
        r.enter(H);
        assertThat(r.tryBeginCollect(H)).isFalse();
    }

    @Test
    void enteringWaitsForARunningCollection() throws Exception {
        ContentRegistry r = new ContentRegistry();
        assertThat(r.tryBeginCollect(H)).isTrue();
        Thread user = new Thread(() -> {
            try {
                r.enter(H);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        user.start();
        while (user.getState() != Thread.State.WAITING && user.isAlive()) {
            Thread.onSpinWait();
        }
        assertThat(user.isAlive()).as("blocked while the collector works").isTrue();
        r.endCollect(H);
        user.join();
        assertThat(r.tryBeginCollect(H)).as("now in use").isFalse();
    }
}
