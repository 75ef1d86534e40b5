package com.silknote.sync.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.examples.cli.ExitCode;
import com.silknote.sync.examples.config.ConfigKey;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The reference docs stay true: every configuration key, command and exit code is documented. */
class DocsTest {
    private final Path root = ReadmeExampleTest.repositoryRoot();

    @Test
    void theConfigurationReferenceListsEveryKeyWithItsVariableAndDefault() throws IOException {
        String doc = Files.readString(root.resolve("docs/configuration.md"));
        for (ConfigKey k : ConfigKey.values()) {
            String row = "| `" + k.property() + "` | `" + k.envVar() + "` | "
                    + k.defaultValue().map(d -> "`" + d + "`").orElse("—") + " |";
            assertThat(doc).as("row of %s", k).contains(row);
        }
        assertThat(doc).contains(ConfigKey.CONFIG_FILE_ENV);
    }

    @Test
    void theCommandLineReferenceListsEveryCommandAndExitCode() throws IOException, IllegalAccessException {
        String doc = Files.readString(root.resolve("docs/cli.md"));
        for (String command : new String[] {"demo", "sync", "run-every", "status", "report", "history", "cleanup",
            "check", "repair", "migrate", "audit", "serve-vsrx", "config", "help"}) {
            assertThat(doc).contains("### `" + command);
        }
        for (Field f : ExitCode.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                assertThat(doc).as("exit code %s", f.getName()).contains("| " + f.getInt(null) + " |");
            }
        }
    }
}
