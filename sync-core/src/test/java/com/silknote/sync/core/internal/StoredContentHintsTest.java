package com.silknote.sync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.model.ContentHash;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The run's hint of stored content (issue 12): never answers for content it was not told of; bounded. */
class StoredContentHintsTest {

    private static ContentHash hash(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder();
            for (byte b : d) {
                hex.append(String.format("%02x", b));
            }
            return ContentHash.ofHex(hex.toString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void knowsWhatItWasToldAndNothingElse() {
        StoredContentHints hints = new StoredContentHints();
        ContentHash a = hash("a letter");
        ContentHash b = hash("a referral");
        assertThat(hints.probablyStored(a)).isFalse();
        hints.stored(a);
        assertThat(hints.probablyStored(a)).isTrue();
        assertThat(hints.probablyStored(ContentHash.ofHex(a.hex()))).as("equal hash, other instance").isTrue();
        assertThat(hints.probablyStored(b)).isFalse();
    }

    @Test
    void aSingleSlotForgetsTheOlderHashAndNeverAnswersForTheNewerOnesNeighbour() {
        StoredContentHints hints = new StoredContentHints(1);
        ContentHash a = hash("a");
        ContentHash b = hash("b");
        hints.stored(a);
        assertThat(hints.probablyStored(b)).as("same slot, other content").isFalse();
        hints.stored(b);
        assertThat(hints.probablyStored(b)).isTrue();
        assertThat(hints.probablyStored(a)).as("forgotten: the next put sends the bytes, which stays correct").isFalse();
    }

    /** Random, seeded: a hit is always for a hash that was stored; memory is the table, whatever the run's size. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 20261207})
    void neverAHitForContentItWasNotToldOf(long seed) {
        Random rnd = new Random(seed);
        int slots = 1 + rnd.nextInt(64);
        StoredContentHints hints = new StoredContentHints(slots);
        Set<ContentHash> told = new HashSet<>();
        List<ContentHash> pool = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            pool.add(hash(seed + "/" + i));
        }
        int hits = 0;
        for (int step = 0; step < 5_000; step++) {
            ContentHash h = pool.get(rnd.nextInt(pool.size()));
            if (rnd.nextBoolean()) {
                hints.stored(h);
                told.add(h);
                assertThat(hints.probablyStored(h)).as("just told").isTrue();
            } else if (hints.probablyStored(h)) {
                hits++;
                assertThat(told).as("a hit is for content it was told of").contains(h);
            }
        }
        assertThat(hits).as("the table does answer").isPositive();
        long remembered = pool.stream().filter(hints::probablyStored).count();
        assertThat(remembered).as("at most one hash per slot").isLessThanOrEqualTo(slots);
    }

    @Test
    void refusesATableWithoutSlots() {
        assertThatThrownBy(() -> new StoredContentHints(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
