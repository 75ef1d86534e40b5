package com.silknote.sync.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.BlobInfo;
import com.silknote.sync.core.model.BlobUpload;
import java.io.InputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Uploads and downloads content two and a half times larger than this JVM's whole heap (the {@code bounded-heap}
 * surefire execution runs it with {@code -Xmx64m}): it passes only if nothing buffers the content whole.
 */
@Tag("bounded-heap")
class LargeBlobStreamingTest {

    private static final long SIZE = 160L * 1024 * 1024;

    @Test
    void streamsContentLargerThanTheHeapUpAndDown() throws Exception {
        assertThat(Runtime.getRuntime().maxMemory()).as("run with a heap smaller than the content")
                .isLessThan(SIZE / 2);
        GeneratedContent content = new GeneratedContent(42, SIZE);
        BlobUpload upload = content.upload();
        AzureBlobStore store = AzureBlobStore.builder().container(Azurite.shared().newContainer()).build();

        BlobInfo info = store.putIfAbsent(upload).info();

        assertThat(info.size()).isEqualTo(SIZE);
        try (InputStream in = store.open(upload.hash())) {
            assertThat(GeneratedContent.hashOf(in)).isEqualTo(upload.hash());
        }
        assertThat(store.putIfAbsent(upload).created()).isFalse();
    }
}
