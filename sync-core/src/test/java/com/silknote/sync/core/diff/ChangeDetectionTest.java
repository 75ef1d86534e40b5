package com.silknote.sync.core.diff;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.VsrxFile;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChangeDetectionTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void versionKeyIsTheEtagWhenPresentElseModifiedAtAndSize() {
        VsrxFile withEtag = DiffEngineTest.file("a", "\"abc\"", 10, T0);
        VsrxFile without = DiffEngineTest.file("a", null, 10, T0);
        assertThat(ChangeDetection.versionKey(withEtag)).isEqualTo("etag:\"abc\"");
        assertThat(ChangeDetection.versionKey(without)).isEqualTo("meta:2026-01-01T00:00:00Z/10");
        assertThat(ChangeDetection.versionKey(DiffEngineTest.file("a", "\"abc\"", 99, T0.plusSeconds(5))))
                .as("the ETag alone decides").isEqualTo(ChangeDetection.versionKey(withEtag));
        assertThat(ChangeDetection.versionKey(DiffEngineTest.file("a", null, 11, T0)))
                .isNotEqualTo(ChangeDetection.versionKey(without));
        assertThat(ChangeDetection.versionKey(Optional.of("x"), T0, 1)).isEqualTo("etag:x");
    }
}
