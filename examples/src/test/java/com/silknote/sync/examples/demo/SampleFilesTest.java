package com.silknote.sync.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SampleFilesTest {
    private final SplittableRandom random = new SplittableRandom(1);

    @Test
    void filesStartAndEndWithTheirMagicBytes() {
        byte[] jpeg = SampleFiles.jpeg(random, 5000);
        assertThat(jpeg).startsWith((byte) 0xFF, (byte) 0xD8, (byte) 0xFF).endsWith((byte) 0xFF, (byte) 0xD9);
        assertThat(SampleFiles.png(random, 5000)).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
        assertThat(SampleFiles.tiff(random, 5000)).startsWith((byte) 'I', (byte) 'I', (byte) 42, (byte) 0);
        byte[] pdf = SampleFiles.pdf(random, "Hello", 5000);
        String text = new String(pdf, StandardCharsets.ISO_8859_1);
        assertThat(text).startsWith("%PDF-1.7").endsWith("%%EOF\n");
        assertThat(pdf.length).isBetween(4900, 5100);
        assertThat(SampleFiles.executable(random, 100)).startsWith((byte) 'M', (byte) 'Z');
    }

    @Test
    void theSameSeedGivesTheSameBytes() {
        assertThat(SampleFiles.jpeg(new SplittableRandom(3), 1000)).isEqualTo(SampleFiles.jpeg(new SplittableRandom(3), 1000));
    }
}
