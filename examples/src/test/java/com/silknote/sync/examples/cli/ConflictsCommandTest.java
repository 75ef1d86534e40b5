package com.silknote.sync.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.silknote.sync.core.model.ConflictId;
import com.silknote.sync.core.model.ConflictKind;
import com.silknote.sync.core.model.ConflictRecord;
import com.silknote.sync.core.model.ConflictStatus;
import com.silknote.sync.core.model.ConflictStrategy;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.SilknoteSimulator;
import com.silknote.sync.testkit.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Issue 14 on the command line: {@code conflicts list|resolve} over the ledger's conflict records. */
class ConflictsCommandTest {
    private final TestClock clock = TestClock.at("2026-01-01T00:00:00Z");
    private final CliFixture cli = new CliFixture(new SilknoteSimulator(clock), new InMemoryVsrxSource(clock),
            Map.of(), false, clock);

    private static ContentHash hash(char c) {
        return ContentHash.ofHex(String.valueOf(c).repeat(64));
    }

    private ConflictRecord record(ConflictStatus status) {
        Instant at = clock.instant();
        ConflictRecord r = new ConflictRecord(ConflictId.derive("f-1", status.name()), FilesetId.of("fs-1"),
                Optional.of(VsrxFileId.of("f-1")), DocumentUuid.forVsrxFile(VsrxFileId.of("f-1")),
                ConflictKind.CHANGED_ON_BOTH_SIDES, status, Optional.of(hash('a')), Optional.of(hash('b')),
                Optional.of("\"e1\""), Optional.of(hash('c')),
                status == ConflictStatus.APPLIED ? Optional.of(ConflictStrategy.VSRX_WINS) : Optional.empty(),
                Optional.empty(), status == ConflictStatus.APPLIED ? Optional.of(hash('c')) : Optional.empty(),
                Optional.of(status == ConflictStatus.APPLIED ? "conflict:vsrx-wins" : "changed-on-both-sides"),
                at, at);
        try (SyncLock.Lease lease = cli.silknote.lock().tryAcquire(SyncConfig.LOCK_NAME, Duration.ofMinutes(1))
                .orElseThrow()) {
            cli.silknote.documents().inUnitOfWork(lease.token(), uow -> {
                uow.upsertConflict(r);
                r.heldHashes().forEach(h -> uow.addBlobRef(h, 1, "etag-" + h.shortHex()));
                return null;
            });
        }
        return r;
    }

    @Test
    @DisplayName("issue 14 §8: conflicts list shows open and applied records, --json with both hashes")
    void listsRecords() throws Exception {
        ConflictRecord open = record(ConflictStatus.OPEN);
        ConflictRecord applied = record(ConflictStatus.APPLIED);

        assertThat(cli.run("conflicts", "list")).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).contains(open.id().value(), applied.id().value(), "OPEN", "APPLIED",
                "changed-on-both-sides");

        assertThat(cli.run("conflicts", "list", "--json")).isEqualTo(ExitCode.OK);
        JsonNode json = new ObjectMapper().readTree(cli.out());
        assertThat(json).hasSize(2);
        JsonNode first = json.get(0).get("id").asText().equals(open.id().value()) ? json.get(0) : json.get(1);
        assertThat(first.get("vsrxHash").asText()).isEqualTo(hash('b').hex());
        assertThat(first.get("silknoteHash").asText()).isEqualTo(hash('c').hex());
    }

    @Test
    @DisplayName("issue 14 §4: resolve --keep records the decision on an open record; --release resolves an applied one")
    void resolves() {
        ConflictRecord open = record(ConflictStatus.OPEN);
        ConflictRecord applied = record(ConflictStatus.APPLIED);

        assertThat(cli.run("conflicts", "resolve", open.id().value(), "--keep", "silknote")).isEqualTo(ExitCode.OK);
        assertThat(cli.silknote.documents().findConflict(open.id()).orElseThrow().decision())
                .contains(ConflictStrategy.SILKNOTE_WINS);
        assertThat(cli.run("conflicts", "resolve", open.id().value(), "--release")).isEqualTo(ExitCode.FAILED);

        assertThat(cli.run("conflicts", "resolve", applied.id().value(), "--release")).isEqualTo(ExitCode.OK);
        assertThat(cli.silknote.documents().findConflict(applied.id()).orElseThrow().status())
                .isEqualTo(ConflictStatus.RESOLVED);
        assertThat(cli.silknote.documents().findBlobRef(hash('c')).orElseThrow().refCount())
                .as("the open record still holds the Silknote version").isEqualTo(1);

        assertThat(cli.run("conflicts", "list")).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).doesNotContain(applied.id().value());
        assertThat(cli.run("conflicts", "list", "--all")).isEqualTo(ExitCode.OK);
        assertThat(cli.out()).contains(applied.id().value(), "RESOLVED");
    }

    @Test
    @DisplayName("issue 14: bad ids and sides are usage errors; an unknown id fails")
    void refusesBadInput() {
        assertThat(cli.run("conflicts", "resolve", "nonsense", "--release")).isEqualTo(ExitCode.USAGE);
        assertThat(cli.run("conflicts", "resolve", ConflictId.derive("x").value(), "--keep", "mine"))
                .isEqualTo(ExitCode.USAGE);
        assertThat(cli.run("conflicts", "resolve", ConflictId.derive("x").value(), "--release"))
                .isEqualTo(ExitCode.FAILED);
        assertThat(cli.run("conflicts", "resolve", ConflictId.derive("x").value())).isEqualTo(ExitCode.USAGE);
    }
}
