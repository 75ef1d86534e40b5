package com.silknote.sync.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.SilknoteSimulator;
import com.silknote.sync.testkit.TestClock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Issue 11: docs/metrics.md names exactly the series a Prometheus scrape shows, with their types. */
class PrometheusNamesTest {
    private static final Pattern TYPE_LINE = Pattern.compile("^# TYPE (vsrx_sync_\\w+) (\\w+)$", Pattern.MULTILINE);
    /** A row of the reference table: | `micrometer.name` | type | `prometheus_name` | ... */
    private static final Pattern DOC_ROW = Pattern.compile(
            "^\\| `(vsrx\\.sync\\.[a-z.]+)` \\| (\\w+) \\| `(vsrx_sync_\\w+)` \\|", Pattern.MULTILINE);

    static Path repositoryRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("docs/metrics.md"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("docs/metrics.md not found above the working directory");
        }
        return p;
    }

    @Test
    @DisplayName("every scraped vsrx_sync family is documented with its type, and every documented one is scraped")
    void documentedNamesMatchAScrape() throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MicrometerSyncListener listener = MicrometerSyncListener.builder().registry(registry).build();
        TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
        InMemoryVsrxSource vsrx = new InMemoryVsrxSource(clock);
        SilknoteSimulator silknote = new SilknoteSimulator(clock);
        FilesetId fs = vsrx.addFileset(PatientId.of("P-1"), new PatientUuid(UUID.randomUUID()));
        vsrx.addFile(fs, "notes/a.txt", "text/plain", "hello");
        VsrxSync.builder().source(vsrx).documents(silknote.documents()).blobs(silknote.blobs())
                .vectors(silknote.vectors()).processor(silknote.processor()).lock(silknote.lock())
                .listener(listener).clock(clock).sleeper(clock).build()
                .run(SyncRequest.full());

        String scrape = registry.scrape();
        Set<String> scraped = new TreeSet<>();
        Matcher t = TYPE_LINE.matcher(scrape);
        while (t.find()) {
            scraped.add(t.group(1) + " " + t.group(2));
        }

        String doc = Files.readString(repositoryRoot().resolve("docs/metrics.md"));
        Set<String> documented = new TreeSet<>();
        List<String> micrometerNames = new ArrayList<>();
        Matcher d = DOC_ROW.matcher(doc);
        while (d.find()) {
            micrometerNames.add(d.group(1));
            documented.add(d.group(3) + " " + prometheusType(d.group(2)));
            if (d.group(2).equals("timer")) {
                documented.add(d.group(3) + "_max gauge"); // a timer's decaying maximum is a family of its own
            }
        }
        assertThat(scraped).isNotEmpty();
        assertThat(documented).isEqualTo(scraped);
        Set<String> registered = new TreeSet<>();
        registry.getMeters().forEach(m -> registered.add(m.getId().getName()));
        assertThat(new TreeSet<>(micrometerNames)).isEqualTo(registered);
    }

    private static String prometheusType(String micrometerType) {
        return switch (micrometerType) {
            case "timer" -> "summary";
            case "counter" -> "counter";
            case "gauge" -> "gauge";
            default -> throw new IllegalArgumentException("unknown meter type in docs/metrics.md: " + micrometerType);
        };
    }
}
