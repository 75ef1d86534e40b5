package com.silknote.sync.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.BlobUpload;
import com.silknote.sync.core.model.BlobRef;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.FencingToken;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.Page;
import com.silknote.sync.core.model.RunId;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.port.BlobStore;
import com.silknote.sync.core.port.DocumentStore;
import com.silknote.sync.core.port.FilesetClaims;
import com.silknote.sync.core.port.SyncLock;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.InMemoryBlobStore;
import com.silknote.sync.testkit.InMemoryDocumentStore;
import com.silknote.sync.testkit.InMemoryFilesetClaims;
import com.silknote.sync.testkit.InMemorySyncLock;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.TestHashes;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs the contracts against deliberately broken implementations and checks that the right tests fail:
 * the contracts can tell a correct adapter from a wrong one. The broken subclasses are nested, so the
 * build does not run them directly (select this class by its exact name with {@code -Dtest}; a pattern
 * such as {@code ContractsCatch*} also matches the nested classes, which then fail as intended).
 */
class ContractsCatchBrokenImplementationsTest {

    private static Set<String> failingTests(Class<?> contractTest) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectClass(contractTest)).build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request, listener);
        TestExecutionSummary summary = listener.getSummary();
        assertThat(summary.getTestsFoundCount()).as("tests found in %s", contractTest.getSimpleName()).isPositive();
        Set<String> failed = new TreeSet<>();
        for (TestExecutionSummary.Failure f : summary.getFailures()) {
            f.getTestIdentifier().getSource().filter(MethodSource.class::isInstance)
                    .ifPresent(s -> failed.add(((MethodSource) s).getMethodName()));
        }
        return failed;
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> port, T target, InvocationHandler handler) {
        return (T) Proxy.newProxyInstance(port.getClassLoader(), new Class<?>[] {port}, handler);
    }

    private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    // ------------------------------------------------------------------ document store

    /** Writes every token as a huge one: no fencing at all. */
    static class IgnoresFencing extends DocumentStoreContract {
        @Override
        protected DocumentStore newStore(Clock clock) {
            DocumentStore real = new InMemoryDocumentStore(clock);
            return proxy(DocumentStore.class, real, (p, m, args) -> {
                if (args != null) {
                    for (int i = 0; i < args.length; i++) {
                        if (args[i] instanceof FencingToken) {
                            args[i] = FencingToken.of(1_000_000);
                        }
                    }
                }
                return invoke(real, m, args);
            });
        }
    }

    /** Commits every statement of a unit of work on its own. */
    static class AutoCommits extends DocumentStoreContract {
        @Override
        @SuppressWarnings("unchecked")
        protected DocumentStore newStore(Clock clock) {
            DocumentStore real = new InMemoryDocumentStore(clock);
            return proxy(DocumentStore.class, real, (p, m, args) -> {
                if (!m.getName().equals("inUnitOfWork")) {
                    return invoke(real, m, args);
                }
                FencingToken token = (FencingToken) args[0];
                Function<DocumentStore.UnitOfWork, Object> work = (Function<DocumentStore.UnitOfWork, Object>) args[1];
                DocumentStore.UnitOfWork eager = proxy(DocumentStore.UnitOfWork.class, null,
                        (p2, m2, args2) -> real.inUnitOfWork(token, u -> {
                            try {
                                return m2.invoke(u, args2);
                            } catch (InvocationTargetException e) {
                                throw (RuntimeException) e.getCause();
                            } catch (IllegalAccessException e) {
                                throw new IllegalStateException(e);
                            }
                        }));
                return work.apply(eager);
            });
        }
    }

    /** Accepts every unit of work whatever it expected: no optimistic concurrency. */
    static class IgnoresExpectations extends DocumentStoreContract {
        @Override
        @SuppressWarnings("unchecked")
        protected DocumentStore newStore(Clock clock) {
            DocumentStore real = new InMemoryDocumentStore(clock);
            return proxy(DocumentStore.class, real, (p, m, args) -> {
                if (!m.getName().equals("inUnitOfWork")) {
                    return invoke(real, m, args);
                }
                Function<DocumentStore.UnitOfWork, Object> work = (Function<DocumentStore.UnitOfWork, Object>) args[1];
                return real.inUnitOfWork((FencingToken) args[0], u -> work.apply(proxy(DocumentStore.UnitOfWork.class,
                        u, (p2, m2, args2) -> m2.getName().startsWith("expect") ? null : invoke(u, m2, args2))));
            });
        }
    }

    /** Pages the outbox from its start whatever the caller read last; unreferenced blobs by hash. */
    static class PagesFromTheStart extends DocumentStoreContract {
        @Override
        protected DocumentStore newStore(Clock clock) {
            DocumentStore real = new InMemoryDocumentStore(clock);
            return proxy(DocumentStore.class, real, (p, m, args) -> {
                if (m.getName().equals("pendingOutbox") && args.length == 2) {
                    return real.pendingOutbox(0, (Integer) args[1]);
                }
                if (m.getName().equals("filesets")) {
                    return real.filesets(Optional.empty(), (Integer) args[1]);
                }
                if (m.getName().equals("unreferencedBlobs")) {
                    return real.unreferencedBlobs(1000).stream().sorted(
                            java.util.Comparator.comparing(com.silknote.sync.core.model.BlobRef::hash))
                            .limit((Integer) args[0]).toList();
                }
                return invoke(real, m, args);
            });
        }
    }

    /** Finds nothing in batch lookups. */
    static class ForgetsBatchLookups extends DocumentStoreContract {
        @Override
        protected DocumentStore newStore(Clock clock) {
            DocumentStore real = new InMemoryDocumentStore(clock);
            return proxy(DocumentStore.class, real, (p, m, args) -> {
                if (m.getName().equals("findMappings") || m.getName().equals("findDocumentsByClientFileIds")) {
                    return java.util.Map.of();
                }
                return invoke(real, m, args);
            });
        }
    }

    @Test
    void documentStoreContractCatchesMissingFencing() {
        assertThat(failingTests(IgnoresFencing.class)).contains(
                "highWaterMarkRefusesOlderTokensAndAcceptsEqualOrNewer",
                "singleWritesRaiseTheHighWaterMarkToo",
                "staleTokenIsRefusedOnEverySingleWriteAndChangesNothing",
                "fenceRaisesTheHighWaterMarkAndRefusesOlderTokens");
    }

    @Test
    void documentStoreContractCatchesMissingOptimisticConcurrency() {
        assertThat(failingTests(IgnoresExpectations.class)).containsExactly(
                "changedExpectationsRefuseTheUnitOfWorkAndWriteNothing");
    }

    @Test
    void documentStoreContractCatchesBrokenPaging() {
        assertThat(failingTests(PagesFromTheStart.class)).containsExactlyInAnyOrder("outboxIsPagedById",
                "filesetsArePagedEachOnce", "unreferencedBlobsComeLeastRecentlyUpdatedFirst");
    }

    @Test
    void documentStoreContractCatchesEmptyBatchLookups() {
        assertThat(failingTests(ForgetsBatchLookups.class)).containsExactly(
                "batchLookupsReturnExactlyThePresentOnes");
    }

    @Test
    void documentStoreContractCatchesNonAtomicUnitsOfWork() {
        assertThat(failingTests(AutoCommits.class)).contains(
                "throwingUnitOfWorkLeavesNothing",
                "referencingARowBeingCollectedWithTheSameEtagFailsAndRollsBack",
                "releasingAReferenceThatIsNotThereReleasesNothingAndTheCommitRecountsTheRow",
                "entriesOfARolledBackUnitOfWorkAreNotEnqueued");
    }

    @Test
    void correctDocumentStorePasses() {
        assertThat(failingTests(InMemoryDocumentStoreContractTest.class)).isEmpty();
    }

    // ------------------------------------------------------------------ maintenance

    /** Marks a zero row DELETING whatever references its hash (trusting the count, as a naive collector would). */
    static class MarksReferencedBlobs extends DocumentStoreMaintenanceContract {
        @Override
        @SuppressWarnings("unchecked")
        protected DocumentStore newStore(Clock clock) {
            InMemoryDocumentStore real = new InMemoryDocumentStore(clock);
            return proxy(DocumentStore.class, real, (p, m, args) -> {
                if (!m.getName().equals("inUnitOfWork")) {
                    return invoke(real, m, args);
                }
                FencingToken token = (FencingToken) args[0];
                Function<DocumentStore.UnitOfWork, Object> work = (Function<DocumentStore.UnitOfWork, Object>) args[1];
                return real.inUnitOfWork(token, u -> work.apply(proxy(DocumentStore.UnitOfWork.class, u,
                        (p2, m2, args2) -> {
                            if (m2.getName().equals("markBlobDeleting")) {
                                // no reference check: the count, state and age only
                                ContentHash h = (ContentHash) args2[0];
                                real.findBlobRef(h).filter(r -> r.state() == BlobRef.State.LIVE && r.refCount() == 0
                                        && r.updatedAt().isBefore((java.time.Instant) args2[2])).ifPresent(r ->
                                        real.replaceBlobRefBehindTheSync(h, Optional.of(new BlobRef(h, 0, r.size(),
                                                BlobRef.State.DELETING, Optional.of((String) args2[1]),
                                                clock.instant()))));
                                return null;
                            }
                            return invoke(u, m2, args2);
                        })));
            });
        }
    }

    /** Records audit rows outside the unit of work: they stay when it rolls back. */
    static class AuditsOutsideTheUnit extends DocumentStoreMaintenanceContract {
        @Override
        @SuppressWarnings("unchecked")
        protected DocumentStore newStore(Clock clock) {
            DocumentStore real = new InMemoryDocumentStore(clock);
            return proxy(DocumentStore.class, real, (p, m, args) -> {
                if (!m.getName().equals("inUnitOfWork")) {
                    return invoke(real, m, args);
                }
                FencingToken token = (FencingToken) args[0];
                Function<DocumentStore.UnitOfWork, Object> work = (Function<DocumentStore.UnitOfWork, Object>) args[1];
                return real.inUnitOfWork(token, u -> work.apply(proxy(DocumentStore.UnitOfWork.class, u,
                        (p2, m2, args2) -> m2.getName().equals("audit") ? real.inUnitOfWork(FencingToken.of(1_000_000),
                                own -> {
                                    own.audit((com.silknote.sync.core.model.AuditEntry) args2[0]);
                                    return null;
                                }) : invoke(u, m2, args2))));
            });
        }
    }

    /** Counts references by documents only (forgets that a mapping's hash holds a file id's reference). */
    static class TalliesDocumentsOnly extends DocumentStoreMaintenanceContract {
        @Override
        protected DocumentStore newStore(Clock clock) {
            DocumentStore real = new InMemoryDocumentStore(clock);
            return proxy(DocumentStore.class, real, (p, m, args) -> {
                Object result = invoke(real, m, args);
                if (m.getName().equals("referenceTallies")) {
                    @SuppressWarnings("unchecked")
                    Page<com.silknote.sync.core.model.ReferenceTally> page =
                            (Page<com.silknote.sync.core.model.ReferenceTally>) result;
                    return new Page<>(page.items().stream().map(t -> new com.silknote.sync.core.model.ReferenceTally(
                            t.hash(), real.findDocumentsByContentHash(t.hash(), 1000).size(), t.referencedSize(),
                            t.row())).toList(), page.nextCursor());
                }
                return result;
            });
        }
    }

    @Test
    void maintenanceContractCatchesAMarkThatTrustsTheCount() {
        assertThat(failingTests(MarksReferencedBlobs.class)).contains("markingInAUnitRequiresNoReferenceAtCommit");
    }

    @Test
    void maintenanceContractCatchesAuditRowsOutsideTheTransaction() {
        assertThat(failingTests(AuditsOutsideTheUnit.class)).contains("aRolledBackOrStaleUnitLeavesNoAuditRow");
    }

    @Test
    void maintenanceContractCatchesTalliesThatIgnoreMappings() {
        assertThat(failingTests(TalliesDocumentsOnly.class)).contains("referenceTalliesCountReferencesPerFileId");
    }

    @Test
    void correctMaintenancePasses() {
        assertThat(failingTests(InMemoryDocumentStoreMaintenanceContractTest.class)).isEmpty();
    }

    // ------------------------------------------------------------------ blob store

    /** Trusts nothing the caller declares: stores whatever bytes arrive, under their own hash. */
    static class DoesNotVerify extends BlobStoreContract {
        private InMemoryBlobStore real;

        @Override
        protected BlobStore newStore(Clock clock) {
            real = new InMemoryBlobStore(clock);
            return proxy(BlobStore.class, real, (p, m, args) -> {
                if (m.getName().equals("putIfAbsent") || m.getName().equals("overwrite")) {
                    BlobUpload up = (BlobUpload) args[0];
                    byte[] bytes;
                    try (InputStream in = up.source().open()) {
                        bytes = in.readAllBytes();
                    }
                    args[0] = new BlobUpload(TestHashes.sha256(bytes), bytes.length, up.contentType(),
                            () -> new ByteArrayInputStream(bytes));
                }
                return invoke(real, m, args);
            });
        }

        @Override
        protected Optional<byte[]> rawBytes(ContentHash hash) {
            return real.rawBytes(hash);
        }
    }

    @Test
    void blobStoreContractCatchesUnverifiedUploads() {
        assertThat(failingTests(DoesNotVerify.class)).contains(
                "contentNotMatchingTheDeclaredHashIsRefusedAndNothingStored",
                "contentNotMatchingTheDeclaredSizeIsRefusedAndNothingStored");
    }

    // ------------------------------------------------------------------ lock

    /** Breaks any existing lease before acquiring: no mutual exclusion. */
    static class NoExclusion extends SyncLockContract {
        private InMemorySyncLock first;

        @Override
        protected synchronized SyncLock newLock(Clock clock) {
            if (first == null) {
                first = new InMemorySyncLock(clock, "h1");
            }
            InMemorySyncLock lock = first.newHolder("h");
            return proxy(SyncLock.class, lock, (p, m, args) -> {
                if (m.getName().equals("tryAcquire")) {
                    lock.forceExpiry((String) args[0]);
                }
                return invoke(lock, m, args);
            });
        }

        @Override
        protected void forceExpiry(String name) {
            first.forceExpiry(name);
        }
    }

    /** Treats every acquire as a new request: a retry after a lost answer is refused. */
    static class IgnoresRequestIds extends SyncLockContract {
        private InMemorySyncLock first;
        private int hosts;

        @Override
        protected synchronized SyncLock newLock(Clock clock) {
            hosts++;
            if (first == null) {
                first = new InMemorySyncLock(clock, "h1");
            }
            InMemorySyncLock lock = first.newHolder("h" + hosts);
            return proxy(SyncLock.class, lock, (p, m, args) -> {
                if (m.getName().equals("tryAcquire") && args.length == 3) {
                    return lock.tryAcquire((String) args[0], (Duration) args[1]);
                }
                return invoke(lock, m, args);
            });
        }

        @Override
        protected void forceExpiry(String name) {
            first.forceExpiry(name);
        }
    }

    @Test
    void lockContractCatchesAcquiresThatAreNotIdempotent() {
        assertThat(failingTests(IgnoresRequestIds.class)).containsExactlyInAnyOrder(
                "anAcquireRetriedAfterALostAnswerGetsItsOwnLeaseBack",
                "theSameRequestGetsTheSameTokenWhileTheLeaseIsUnexpired");
    }

    @Test
    void lockContractCatchesMissingExclusion() {
        assertThat(failingTests(NoExclusion.class)).contains("secondAcquireIsRefusedWhileHeld",
                "renewKeepsTheLeaseAndItsToken");
    }

    // ------------------------------------------------------------------ source

    /** Leaves deleted files out of listings. */
    static class HidesDeletedFiles extends VsrxSourceContract {
        @Override
        @SuppressWarnings("unchecked")
        protected VsrxSource newSource(InMemoryVsrxSource backing) {
            return proxy(VsrxSource.class, backing, (p, m, args) -> {
                Object result = invoke(backing, m, args);
                if (m.getName().equals("listFiles")) {
                    Page<VsrxFile> page = (Page<VsrxFile>) result;
                    return new Page<>(page.items().stream().filter(f -> !f.deleted()).toList(), page.nextCursor());
                }
                return result;
            });
        }
    }

    @Test
    void sourceContractCatchesHiddenDeletes() {
        assertThat(failingTests(HidesDeletedFiles.class)).contains(
                "filePagesCoverEveryFileOnceInIdOrderDeletedIncluded", "changedSinceFiltersFilesAndFilesets");
    }

    /** Answers a gone file's content with a plain permanent failure, which the engine cannot tell from a wrong route. */
    static class VagueAboutGoneFiles extends VsrxSourceContract {
        @Override
        protected VsrxSource newSource(InMemoryVsrxSource backing) {
            return proxy(VsrxSource.class, backing, (p, m, args) -> {
                try {
                    return invoke(backing, m, args);
                } catch (com.silknote.sync.core.exception.FileGoneException e) {
                    throw new com.silknote.sync.core.exception.PermanentSyncException("not found", 404, null);
                }
            });
        }
    }

    @Test
    void sourceContractCatchesGoneFilesNotSaidToBeGone() {
        assertThat(failingTests(VagueAboutGoneFiles.class)).containsExactlyInAnyOrder(
                "vanishedFilesAreNotListed", "deletedFilesAreGone", "unknownFilesetOrFileIsPermanent");
    }

    // ------------------------------------------------------------------ claims

    /** Hands out every claimed fileset again at once, as if its claim had expired. */
    static class ClaimsEverythingTwice extends FilesetClaimsContract {
        private InMemoryDocumentStore store;

        @Override
        protected synchronized FilesetClaims newClaims(Clock clock) {
            InMemoryFilesetClaims real = documents().filesetClaims();
            return proxy(FilesetClaims.class, real, (p, m, args) -> {
                if (m.getName().equals("claimNext")) {
                    Optional<FilesetClaims.Claim> got = real.claimNext((RunId) args[0], (String) args[1],
                            (Duration) args[2]);
                    got.ifPresent(c -> real.forceExpiry((RunId) args[0], c.fileset()));
                    return got;
                }
                return invoke(real, m, args);
            });
        }

        @Override
        protected synchronized InMemoryDocumentStore documents() {
            if (store == null) {
                store = new InMemoryDocumentStore(clock);
            }
            return store;
        }

        @Override
        protected void forceExpiry(RunId run, FilesetId fileset) {
            documents().filesetClaims().forceExpiry(run, fileset);
        }
    }

    @Test
    void claimsContractCatchesDoubleClaims() {
        assertThat(failingTests(ClaimsEverythingTwice.class)).contains(
                "anExpiredClaimIsTakenOverAndItsOldHolderIsRefusedInsideTheTransaction",
                "offeringTwiceKeepsOneClaimPerFileset");
    }
    // ------------------------------------------------------------------ VSRX target (issue 14)

    /** An in-memory VSRX whose write port is replaced by {@code broken(real)}. */
    abstract static class BrokenTarget extends VsrxTargetContract {
        private InMemoryVsrxSource vsrx;
        private com.silknote.sync.core.port.VsrxTarget target;

        abstract com.silknote.sync.core.port.VsrxTarget broken(InMemoryVsrxSource real);

        @Override
        protected Vsrx newVsrx(Clock clock) {
            vsrx = new InMemoryVsrxSource(clock);
            target = broken(vsrx);
            return new Vsrx(vsrx, target);
        }

        @Override
        protected FilesetId addFileset(String patientId) {
            return vsrx.addFileset(com.silknote.sync.core.model.PatientId.of(patientId),
                    new com.silknote.sync.core.model.PatientUuid(java.util.UUID.randomUUID()));
        }

        @Override
        protected com.silknote.sync.core.model.VsrxFileId addVsrxFile(FilesetId fileset, String path, String mimeType,
                byte[] content) {
            return vsrx.addFile(fileset, path, mimeType, content);
        }

        @Override
        protected Vsrx restart() {
            return new Vsrx(vsrx, target);
        }
    }

    /** Writes with a huge token whatever the caller holds: no fencing. */
    static class TargetIgnoresFencing extends BrokenTarget {
        @Override
        com.silknote.sync.core.port.VsrxTarget broken(InMemoryVsrxSource real) {
            return proxy(com.silknote.sync.core.port.VsrxTarget.class, real, (p, m, args) -> {
                for (int i = 0; i < args.length; i++) {
                    if (args[i] instanceof FencingToken) {
                        args[i] = FencingToken.of(1_000_000);
                    }
                }
                return invoke(real, m, args);
            });
        }
    }

    /** Treats every write as a new one: keys are not remembered. */
    static class TargetForgetsKeys extends BrokenTarget {
        @Override
        com.silknote.sync.core.port.VsrxTarget broken(InMemoryVsrxSource real) {
            java.util.concurrent.atomic.AtomicLong n = new java.util.concurrent.atomic.AtomicLong();
            return proxy(com.silknote.sync.core.port.VsrxTarget.class, real, (p, m, args) -> {
                for (int i = 0; args != null && i < args.length; i++) {
                    if (args[i] instanceof com.silknote.sync.core.model.IdempotencyKey) {
                        args[i] = com.silknote.sync.core.model.IdempotencyKey.of("fresh-" + n.incrementAndGet());
                    }
                }
                return invoke(real, m, args);
            });
        }
    }

    /** Replaces and deletes whatever the file's ETag is now: no If-Match. */
    static class TargetIgnoresIfMatch extends BrokenTarget {
        @Override
        com.silknote.sync.core.port.VsrxTarget broken(InMemoryVsrxSource real) {
            return proxy(com.silknote.sync.core.port.VsrxTarget.class, real, (p, m, args) -> {
                if (m.getName().equals("replaceContent") || m.getName().equals("markDeleted")) {
                    var id = (com.silknote.sync.core.model.VsrxFileId) args[2];
                    real.findFile(id).flatMap(VsrxFile::etag).ifPresent(e -> args[3] = e);
                }
                return invoke(real, m, args);
            });
        }
    }

    @Test
    void targetContractCatchesMissingFencing() {
        assertThat(failingTests(TargetIgnoresFencing.class)).contains(
                "aLowerTokenThanTheHighestSeenIsRefusedAndChangesNothing",
                "theHighWaterMarkSurvivesARestartOfTheVsrxSide", "noWriteLandsAfterAHigherTokenFenced");
    }

    @Test
    void targetContractCatchesForgottenIdempotencyKeys() {
        assertThat(failingTests(TargetForgetsKeys.class)).contains(
                "aRepeatedCreateKeyReturnsTheFirstFileAndCreatesNoSecond",
                "aRepeatedReplaceKeyChangesNothingAndAnswersAsTheFirstTime",
                "markDeletedIsConditionalKeepsTheFileListedAndIsIdempotent",
                "concurrentRetriesOfOneCreateMakeOneFile", "aKeyUsedBeforeForAnotherWriteIsRefused");
    }

    @Test
    void targetContractCatchesMissingIfMatch() {
        assertThat(failingTests(TargetIgnoresIfMatch.class)).contains(
                "replaceIsConditionalOnTheEtagAndGivesANewOne",
                "markDeletedIsConditionalKeepsTheFileListedAndIsIdempotent");
    }

    @Test
    void correctTargetPasses() {
        assertThat(failingTests(InMemoryVsrxTargetContractTest.class)).isEmpty();
    }
}
