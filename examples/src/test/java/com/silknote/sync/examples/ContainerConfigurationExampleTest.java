package com.silknote.sync.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.silknote.sync.core.exception.ConfigurationException;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.SyncResult;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerConfigurationExampleTest {
    @TempDir
    Path dir;

    @Test
    void theFactoriesWireAWorkingEngineFromConfiguration() {
        try (SimulatedVsrx vsrx = new SimulatedVsrx().withSampleData()) {
            Map<String, String> env = Map.of("VSRX_SYNC_DATA_DIR", dir.toString(),
                    "VSRX_SYNC_VSRX_URL", vsrx.url().toString(),
                    "VSRX_SYNC_VSRX_TOKEN", SimulatedVsrx.TOKEN.value());

            SyncResult one = ContainerConfigurationExample.runOnce(env, Optional.of("fs-000001"));
            assertThat(one.success()).isTrue();
            assertThat(one.report().orElseThrow().filesets()).extracting(f -> f.filesetId().value())
                    .containsExactly("fs-000001");
            assertThat(one.report().orElseThrow().count(FileAction.CREATED)).isEqualTo(2);

            SyncResult all = ContainerConfigurationExample.runOnce(env, Optional.empty());
            assertThat(all.success()).isTrue();
            assertThat(all.report().orElseThrow().count(FileAction.CREATED)).isEqualTo(1);
            assertThat(all.report().orElseThrow().count(FileAction.UNCHANGED)).isEqualTo(2);
        }
    }

    @Test
    void missingVsrxSettingsAreAConfigurationError() {
        assertThatThrownBy(() -> ContainerConfigurationExample.runOnce(Map.of("VSRX_SYNC_DATA_DIR", dir.toString()),
                Optional.empty())).isInstanceOf(ConfigurationException.class).hasMessageContaining("VSRX_SYNC_VSRX_URL");
    }
}
