package com.silknote.sync.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.jdbc.JdbcLedger;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's embedding example is this module's {@link ReadmeExample}, character for character, and it runs. */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    @Test
    void theReadmeShowsExactlyTheMarkedRegionOfReadmeExample() throws IOException {
        Path root = repositoryRoot();
        String readme = Files.readString(root.resolve("README.md"));
        String source = Files.readString(root.resolve(
                "examples/src/main/java/com/silknote/sync/examples/ReadmeExample.java"));

        assertThat(readmeBlock(readme)).isEqualTo(markedRegion(source));
    }

    @Test
    void theExampleSyncsIntoTheEmbeddedLedgerWhichPersists() {
        try (SimulatedVsrx vsrx = new SimulatedVsrx().withSampleData()) {
            SyncResult result = ReadmeExample.sync(vsrx.url(), SimulatedVsrx.TOKEN, dir);

            assertThat(result.success()).isTrue();
            assertThat(result.report().orElseThrow().count(FileAction.CREATED)).isEqualTo(3);
            assertThat(result.report().orElseThrow().count(FileAction.SKIPPED)).isEqualTo(1);
        }
        try (JdbcLedger reopened = JdbcLedger.embedded(dir.resolve("postgres"))) {
            assertThat(reopened.documentStore().loadState().lastCompleteSync()).isPresent();
            assertThat(reopened.documentStore().recentRuns(5)).hasSize(1);
        }
        assertThat(dir.resolve("blobs")).isDirectory();
    }

    /** The Java code block that follows the {@code readme-example} marker in the README, unindented. */
    static String readmeBlock(String readme) {
        int marker = readme.indexOf("<!-- readme-example: examples/src/main/java/com/silknote/sync/examples/ReadmeExample.java -->");
        assertThat(marker).as("README marker").isNotNegative();
        int start = readme.indexOf("```java\n", marker);
        int end = readme.indexOf("```\n", start + 8);
        return readme.substring(start + 8, end);
    }

    /** The lines between {@code // tag::embed[]} and {@code // end::embed[]}, with their common indent removed. */
    static String markedRegion(String source) {
        List<String> lines = new ArrayList<>();
        boolean inside = false;
        for (String line : source.split("\n", -1)) {
            if (line.contains("// end::embed[]")) {
                break;
            }
            if (inside) {
                lines.add(line);
            }
            if (line.contains("// tag::embed[]")) {
                inside = true;
            }
        }
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l.isBlank() ? "" : l.substring(indent)).append('\n');
        }
        return sb.toString();
    }

    static Path repositoryRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("README.md"))) {
            p = p.getParent();
        }
        assertThat(p).as("repository root with README.md").isNotNull();
        return p;
    }
}
