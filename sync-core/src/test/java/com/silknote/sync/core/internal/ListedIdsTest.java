package com.silknote.sync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.model.FilesetId;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 9 (a fileset VSRX no longer lists is told apart from one it does): the compact listing errs only
 * by a hash collision, and ids that differ in one character or only in order do not collide.
 */
class ListedIdsTest {

    @Test
    @DisplayName("issue 9: every listed id is found, none of thousands of near misses is")
    void listedIdsAreFoundAndOthersAreNot() {
        ListedIds ids = new ListedIds();
        for (int i = 0; i < 1000; i++) { // more than the first array holds: it grows
            ids.add(FilesetId.of("fs-" + i));
        }
        ids.seal();
        assertThat(ids.size()).isEqualTo(1000);
        for (int i = 0; i < 1000; i++) {
            assertThat(ids.contains(FilesetId.of("fs-" + i))).as("fs-%d", i).isTrue();
        }
        for (int i = 1000; i < 3000; i++) {
            assertThat(ids.contains(FilesetId.of("fs-" + i))).as("fs-%d", i).isFalse();
        }
        assertThat(ids.contains(FilesetId.of("sf-1"))).isFalse();
        assertThat(ids.contains(FilesetId.of("fs-01"))).isFalse();
    }

    @Test
    @DisplayName("issue 9: the hash spreads single-character and order differences")
    void theHashTellsNearIdsApart() {
        Set<Long> seen = new HashSet<>();
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
        for (char a : alphabet.toCharArray()) {
            for (char b : alphabet.toCharArray()) {
                assertThat(seen.add(ListedIds.hash("P" + a + b))).as("P%s%s", a, b).isTrue();
            }
        }
        assertThat(ListedIds.hash("ab")).isNotEqualTo(ListedIds.hash("ba"));
        assertThat(ListedIds.hash("")).isNotZero();
        assertThat(Long.bitCount(ListedIds.hash("a") ^ ListedIds.hash("b"))).as("avalanche").isGreaterThan(16);
    }

    @Test
    @DisplayName("fill, seal, then query: queries before the seal and adds after it are refused")
    void sealOrder() {
        ListedIds ids = new ListedIds();
        ids.add(FilesetId.of("a"));
        assertThatThrownBy(() -> ids.contains(FilesetId.of("a"))).isInstanceOf(IllegalStateException.class);
        ids.seal();
        ids.seal();
        assertThat(ids.contains(FilesetId.of("a"))).isTrue();
        assertThatThrownBy(() -> ids.add(FilesetId.of("b"))).isInstanceOf(IllegalStateException.class);
    }
}
