package com.silknote.sync.examples.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.ConfigurationException;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentProcessor;
import com.silknote.sync.core.port.VectorStore;
import com.silknote.sync.examples.config.ConfigKey;
import com.silknote.sync.examples.config.ProcessorChoice;
import com.silknote.sync.examples.config.VsrxSyncConfigFile;
import com.silknote.sync.examples.config.VsrxSyncSettings;
import com.silknote.sync.testkit.InMemoryBlobStore;
import com.silknote.sync.testkit.InMemoryVectorStore;
import com.silknote.sync.testkit.TestClock;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Issue 12 item 3: the operator chooses the document processor: none, the stand-in or a host's class. */
class ProcessorChoiceTest {
    private final InMemoryBlobStore blobs = new InMemoryBlobStore(TestClock.at("2026-01-01T00:00:00Z"));
    private final InMemoryVectorStore vectors = new InMemoryVectorStore();

    /** A host's processor built with the stores. */
    public static final class HostProcessor implements DocumentProcessor {
        final BlobStore blobs;
        final VectorStore vectors;

        public HostProcessor(BlobStore blobs, VectorStore vectors) {
            this.blobs = blobs;
            this.vectors = vectors;
        }

        @Override
        public void process(SilknoteDocument document, FencingToken token) {
        }
    }

    /** A host's processor with a no-argument constructor only. */
    public static final class PlainProcessor implements DocumentProcessor {
        @Override
        public void process(SilknoteDocument document, FencingToken token) {
        }
    }

    private static VsrxSyncSettings settings(Map<String, String> env) {
        return VsrxSyncConfigFile.load(Optional.empty(), env, Map.of(ConfigKey.DATA_DIR, "/tmp/unused"));
    }

    @Test
    @DisplayName("issue 12.3: processor = none | stand-in | <class name>, from the file, the environment or the default")
    void theKeyChoosesTheProcessor() {
        assertThat(settings(Map.of()).processor()).isEqualTo(ProcessorChoice.STAND_IN);
        assertThat(settings(Map.of("VSRX_SYNC_PROCESSOR", "none")).processor()).isEqualTo(ProcessorChoice.NONE);
        assertThat(settings(Map.of("VSRX_SYNC_PROCESSOR", "Stand-In")).processor()).isEqualTo(ProcessorChoice.STAND_IN);
        assertThat(settings(Map.of("VSRX_SYNC_PROCESSOR", HostProcessor.class.getName())).processor().className())
                .contains(HostProcessor.class.getName());
        assertThat(settings(Map.of("VSRX_SYNC_PROCESSOR", "none")).describe()).contains("processor = none  (environment)");
        assertThatThrownBy(() -> settings(Map.of("VSRX_SYNC_PROCESSOR", "no such thing!")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("processor");
    }

    @Test
    void eachChoiceBuildsItsProcessor() {
        assertThat(EmbeddedDefault.processor(ProcessorChoice.NONE, blobs, vectors)).isSameAs(DocumentProcessor.NONE);
        assertThat(DocumentProcessor.NONE.processes()).isFalse();
        assertThat(EmbeddedDefault.processor(ProcessorChoice.STAND_IN, blobs, vectors))
                .isInstanceOf(HashEmbeddingDocumentProcessor.class);
        DocumentProcessor host = EmbeddedDefault.processor(ProcessorChoice.parse(HostProcessor.class.getName()), blobs,
                vectors);
        assertThat(host).isInstanceOfSatisfying(HostProcessor.class, h -> {
            assertThat(h.blobs).isSameAs(blobs);
            assertThat(h.vectors).isSameAs(vectors);
        });
        assertThat(host.processes()).isTrue();
        assertThat(EmbeddedDefault.processor(ProcessorChoice.parse(PlainProcessor.class.getName()), blobs, vectors))
                .isInstanceOf(PlainProcessor.class);
    }

    @Test
    void aClassThatIsMissingOrNoProcessorIsAConfigurationError() {
        assertThatThrownBy(() -> EmbeddedDefault.processor(ProcessorChoice.parse("org.example.Missing"), blobs, vectors))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("processor")
                .hasMessageContaining("not found");
        assertThatThrownBy(() -> EmbeddedDefault.processor(ProcessorChoice.parse(Path.class.getName()), blobs, vectors))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("is no");
        assertThatThrownBy(() -> EmbeddedDefault.processor(ProcessorChoice.parse(Abstract.class.getName()), blobs,
                vectors)).isInstanceOf(ConfigurationException.class);
    }

    /** Cannot be built. */
    public abstract static class Abstract implements DocumentProcessor {
    }
}
