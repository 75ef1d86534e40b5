package com.silknote.sync.testkit.engine;

import static com.silknote.sync.testkit.engine.EngineFixture.action;
import static com.silknote.sync.testkit.engine.EngineFixture.fileset;
import static com.silknote.sync.testkit.engine.EngineFixture.report;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.Alert;
import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.IdempotencyKey;
import com.silknote.sync.core.model.NewVsrxFile;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import com.silknote.sync.core.model.BidirectionalConfig;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FileAction;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.SyncDirection;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.DocumentStore;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The counts a fileset reports: the mass-delete guard's share when Silknote removals would delete VSRX files
 * (DESIGN rule 5, docs/bidirectional.md §7), and the ledger-inconsistency alert when the store runs a unit of work
 * more than once (the {@code DocumentStore} port does not promise a single run of the function; issue 9 item 3).
 */
class CommitCountsTest {
    private final EngineFixture fx = new EngineFixture();

    @Test
    @DisplayName("rule 5, §7: Silknote removals that would delete VSRX files trip the guard, counted over the fileset's files")
    void silknoteRemovalsTripTheGuardWithTheirCount() {
        fx.config(c -> c.bidirectional(BidirectionalConfig.builder().direction(SyncDirection.BIDIRECTIONAL)
                .deletes(true).build()));
        fx.target = fx.vsrx;
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "a");
        VsrxFileId b = fx.text(fs, "b.txt", "b");
        VsrxFileId c = fx.text(fs, "c.txt", "c");
        fx.text(fs, "d.txt", "d");
        fx.run();
        for (VsrxFileId f : List.of(a, b, c)) {
            fx.silknote.documents().removeDocumentAsSilknoteUser(DocumentUuid.forVsrxFile(f));
        }
        // and a file an earlier export wrote for a document Silknote no longer has (row 13): one more delete
        DocumentUuid gone = new DocumentUuid(UUID.nameUUIDFromBytes("gone".getBytes(StandardCharsets.UTF_8)));
        byte[] bytes = "exported once".getBytes(StandardCharsets.UTF_8);
        VsrxFileId orphan = fx.vsrx.createFile(fx.vsrx.highWaterMark().orElse(FencingToken.of(1)),
                IdempotencyKey.create(gone), new NewVsrxFile(fs, "notes/silknote/Brief.txt", "text/plain", gone),
                new BlobUpload(TestHashes.sha256("exported once"), bytes.length, "text/plain",
                        () -> new ByteArrayInputStream(bytes))).file().id();

        SyncResult result = fx.run();

        assertThat(fileset(result, fs).outcome()).isEqualTo(FilesetOutcome.MASS_DELETE_BLOCKED);
        // 3 removals and 1 orphaned file of 1 document left, 3 removed and 1 orphaned
        assertThat(fileset(result, fs).failureReason().orElseThrow()).contains("guard: 4 of 5 documents");
        assertThat(fx.vsrx.findFile(orphan).orElseThrow().deleted()).isFalse();
        for (VsrxFileId f : List.of(a, b, c)) {
            assertThat(fx.vsrx.findFile(f).orElseThrow().deleted()).as("file %s kept", f).isFalse();
        }
    }

    @Test
    @DisplayName("issue 9.3: a store that runs a unit of work twice (a retry inside the adapter) reports each missing reference once")
    void aUnitOfWorkRunTwiceCountsEachMissingReferenceOnce() {
        FilesetId fs = fx.linkedFileset("P1");
        VsrxFileId a = fx.text(fs, "a.txt", "shared");
        fx.text(fs, "b.txt", "shared");
        fx.run();
        ContentHash shared = fx.silknote.documents().findDocument(DocumentUuid.forVsrxFile(a)).orElseThrow()
                .contentHash();
        fx.silknote.documents().removeBlobRefRow(shared);
        fx.vsrx.modifyFile(a, "a differs now");
        fx.documents = new DelegatingDocumentStore(fx.documents) {
            @Override
            public <T> T inUnitOfWork(FencingToken token, Function<DocumentStore.UnitOfWork, T> work) {
                try {
                    // a first attempt that the backend rolls back (a serialization failure), retried at once
                    super.inUnitOfWork(token, uow -> {
                        work.apply(uow);
                        throw new RolledBack();
                    });
                } catch (RolledBack expected) {
                    // nothing of the first attempt was written
                }
                return super.inUnitOfWork(token, work);
            }
        };

        SyncResult result = fx.run();

        assertThat(action(result, a)).isEqualTo(FileAction.UPDATED);
        assertThat(report(result).alerts()).filteredOn(al -> al.kind() == Alert.Kind.LEDGER_INCONSISTENT)
                .singleElement().satisfies(al -> assertThat(al.message()).contains(": 1 blob references"));
        fx.silknote.assertInvariants();
    }

    private static final class RolledBack extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }
}
