package com.silknote.sync.vsrx.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.ContentHash;
import com.silknote.sync.core.model.FileContent;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.FilesetOutcome;
import com.silknote.sync.core.model.FilesetReport;
import com.silknote.sync.core.model.MassDeleteGuard;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.RetryPolicy;
import com.silknote.sync.core.model.Secret;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.SyncRequest;
import com.silknote.sync.core.model.SyncResult;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.port.VsrxSource;
import com.silknote.sync.testkit.ForwardingVsrxSource;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import com.silknote.sync.testkit.SilknoteSimulator;
import com.silknote.sync.testkit.SilknoteSnapshot;
import com.silknote.sync.testkit.TestClock;
import com.silknote.sync.testkit.reliability.Reliability;
import com.silknote.sync.testkit.reliability.SilknoteBackend;
import com.silknote.sync.testkit.reliability.SyncScenario;
import com.silknote.sync.testkit.reliability.WriteLog;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 13 item 2 / DESIGN rules 3, 8 and 9 over the wire: the engine reads VSRX with the real
 * {@link HttpVsrxSource} from the real {@link VsrxHttpServer} through a {@link FaultProxy} that, seeded, answers
 * 429 with {@code Retry-After}, 500, 502 and 503, resets connections before and during answers, truncates,
 * slows and stalls bodies, and lets requests time out; and VSRX files change while they are being downloaded.
 * Three such runs with VSRX edits between them; after each, Silknote's invariants hold, and every fileset that
 * failed is attempted again by the next run that lists VSRX. Then, without faults, the runs converge to the
 * state a single clean run of the final VSRX gives, and one more run writes nothing.
 *
 * <p>Each seed reads contents over one of the source's two transports (issue 12): {@code HttpURLConnection}, used
 * when the source builds its own client, or a host's {@code HttpClient}; the seed's line on stdout names it.
 *
 * <p>50 seeds in the test command, 1,000 with {@code -Dvsrx.reliability=heavy}; a failure names its seed,
 * replay it with {@code -Dvsrx.reliability.seed=S}.
 */
class RandomFaultsOverHttpTest {
    static final Secret TOKEN = Secret.of("fault-token-0123456789abcdef");
    private static final double FAULT_RATE = 0.12;
    private static final List<String> CONTENTS = List.of("letter", "scan of a referral", "lab results",
            "discharge summary", "x-ray report", "prescription", "allergy list", "vaccination record");

    static LongStream seeds() {
        return Reliability.seeds(1, 50, 1000);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    @DisplayName("rules 3, 8, 9: random network faults and files changing during runs converge to a clean run's state")
    void randomFaultsConvergeToACleanRunsState(long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        // issue 12: contents over HttpURLConnection (a source that builds its own client) or over a host's
        // HttpClient, chosen by the seed (apart from the scenario's own random stream)
        boolean hostClient = new SplittableRandom(~seed).nextBoolean();
        System.out.println("random faults over HTTP: seed " + seed + ", contents over "
                + (hostClient ? "a host's HttpClient" : "HttpURLConnection"));
        TestClock clock = TestClock.at(SyncScenario.START);
        InMemoryVsrxSource vsrx = new InMemoryVsrxSource(clock);
        ChangingSource served = new ChangingSource(vsrx);
        List<FilesetId> filesets = new ArrayList<>();
        List<VsrxFileId> files = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            filesets.add(vsrx.addFileset(PatientId.of("P" + p), SyncScenario.patient("P" + p)));
        }
        if (random.nextBoolean()) {
            filesets.add(vsrx.addFileset(PatientId.of("P-unlinked")));
        }
        int names = 0;
        for (FilesetId fs : filesets) {
            for (int i = 2 + random.nextInt(4); i > 0; i--) {
                files.add(add(vsrx, random, fs, names++));
            }
        }
        SilknoteSimulator silknote = new SilknoteSimulator(clock);
        try (VsrxHttpServer server = VsrxHttpServer.builder().handler(VsrxHttpHandler.builder().source(served)
                        .fileLookup(vsrx::findFile).acceptedToken(TOKEN).clock(clock).defaultPageSize(3).build())
                        .threads(6).build().start();
                FaultProxy proxy = new FaultProxy(server.baseUri(), decider(seed))) {
            HttpVsrxSource faulty = transport(HttpVsrxSource.builder(), hostClient).baseUri(proxy.baseUri())
                    .token(TOKEN).clock(clock).requestTimeout(Duration.ofMillis(400)).readTimeout(Duration.ofMillis(400))
                    .build();
            HttpVsrxSource direct = transport(HttpVsrxSource.builder(), hostClient).baseUri(server.baseUri())
                    .token(TOKEN).clock(clock).requestTimeout(Duration.ofSeconds(30)).build();
            Set<FilesetId> owed = new HashSet<>();
            for (int round = 1; round <= 3; round++) {
                String where = "seed " + seed + " round " + round;
                if (round > 1) {
                    names = edit(vsrx, random, filesets, files, names);
                }
                for (int i = random.nextInt(3); i > 0; i--) {
                    VsrxFileId f = files.get(random.nextInt(files.size()));
                    byte[] content = newContent(vsrx, f, random, "changed during round " + round);
                    served.changeOnOpen(f, random.nextBoolean(), () -> {
                        if (live(vsrx, f)) {
                            vsrx.modifyFile(f, content);
                            return true;
                        }
                        return false;
                    });
                }
                SyncResult result = sync(faulty, silknote, clock, seed * 10 + round).run(SyncRequest.full());
                silknote.assertInvariants();
                owed = checkFailedFilesetsAreAttemptedAgain(result, owed, vsrx, where + " " + proxy.injected());
                clock.advance(Duration.ofMinutes(1 + random.nextInt(5)));
            }
            served.disarm();

            String where = "seed " + seed + " after the faults " + proxy.injected();
            SyncResult converge = sync(direct, silknote, clock, seed * 10 + 7).run(SyncRequest.full());
            if (converge.status() != SyncResult.Status.COMPLETED || resumed(converge)) {
                converge = sync(direct, silknote, clock, seed * 10 + 8).run(SyncRequest.full());
            }
            assertThat(converge.status()).as("%s: %s", where, converge.error()).isEqualTo(SyncResult.Status.COMPLETED);
            silknote.assertQuiescent();

            SilknoteSimulator reference = new SilknoteSimulator(clock);
            SyncResult clean = sync(direct, reference, clock, 1).run(SyncRequest.full());
            assertThat(clean.status()).as("%s: reference run", where).isEqualTo(SyncResult.Status.COMPLETED);
            SilknoteSnapshot expected = reference.snapshot().timeless();
            SilknoteSnapshot actual = silknote.snapshot().timeless();
            // Content uploaded for a fileset whose commit then failed, and not referenced since: no reference
            // row, nothing points at it; the orphan cleanup (DESIGN rule 14) removes it after its grace period.
            Set<ContentHash> orphans = new java.util.TreeSet<>(actual.blobs());
            orphans.removeAll(expected.blobs());
            for (ContentHash h : orphans) {
                assertThat(actual.blobRefs()).as("%s: orphan blob %s has no reference row", where, h)
                        .doesNotContainKey(h);
            }
            assertThat(comparable(actual, expected, served.changedBeforeDownload(), orphans)
                    .differencesTo(expected)).as("%s: state equals a single clean run's", where).isEmpty();

            WriteLog log = new WriteLog();
            SilknoteBackend b = SilknoteBackend.of(silknote);
            SyncResult again = VsrxSync.builder().source(direct).documents(log.documents(b.documents()))
                    .blobs(log.blobs(b.blobs())).vectors(log.vectors(b.vectors()))
                    .processor(log.processor(b.processor())).lock(b.newLock("quiet")).config(config())
                    .clock(clock).sleeper(clock).random(new SplittableRandom(seed)).build().run(SyncRequest.full());
            assertThat(again.status()).as(where).isEqualTo(SyncResult.Status.COMPLETED);
            assertThat(log.dataWrites()).as("%s: one more run writes nothing", where).isEmpty();
        }
    }

    private static HttpVsrxSource.Builder transport(HttpVsrxSource.Builder b, boolean hostClient) {
        return hostClient ? b.httpClient(java.net.http.HttpClient.newBuilder()
                .followRedirects(java.net.http.HttpClient.Redirect.NEVER).build()) : b;
    }

    /**
     * Rule 9: a fileset that failed is attempted by the next run that lists VSRX to the end (resumed or
     * not). Returns the filesets still owed an attempt.
     */
    private static Set<FilesetId> checkFailedFilesetsAreAttemptedAgain(SyncResult result, Set<FilesetId> owed,
            InMemoryVsrxSource vsrx, String where) {
        List<FilesetReport> reports = result.report().orElseThrow().filesets();
        Set<FilesetId> attempted = new HashSet<>();
        for (FilesetReport r : reports) {
            if (r.outcome() != FilesetOutcome.SKIPPED_ALREADY_PROCESSED) {
                attempted.add(r.filesetId());
            }
        }
        boolean listedToTheEnd = result.error().map(e -> !e.startsWith("listing filesets failed")).orElse(true);
        if (listedToTheEnd) {
            for (FilesetId fs : owed) {
                if (vsrx.findFileset(fs).isPresent()) {
                    assertThat(attempted).as("%s: fileset %s failed before and is attempted again", where, fs)
                            .contains(fs);
                }
            }
        }
        Set<FilesetId> next = new HashSet<>(owed);
        next.removeAll(attempted);
        for (FilesetReport r : reports) {
            if (r.outcome().isFailure()) {
                next.add(r.filesetId());
            }
        }
        return next;
    }

    private static boolean resumed(SyncResult r) {
        return r.report().orElseThrow().filesets().stream()
                .anyMatch(f -> f.outcome() == FilesetOutcome.SKIPPED_ALREADY_PROCESSED);
    }

    private static int edit(InMemoryVsrxSource vsrx, SplittableRandom random, List<FilesetId> filesets,
            List<VsrxFileId> files, int names) {
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
            VsrxFileId f = files.get(random.nextInt(files.size()));
            boolean live = live(vsrx, f);
            switch (random.nextInt(5)) {
                case 0 -> files.add(add(vsrx, random, filesets.get(random.nextInt(filesets.size())), names++));
                case 1 -> {
                    if (live) {
                        vsrx.modifyFile(f, newContent(vsrx, f, random, "v" + names++));
                    }
                }
                case 2 -> {
                    if (live) {
                        vsrx.renameFile(f, "notes/renamed-" + names++ + ".txt");
                    }
                }
                case 3 -> {
                    if (live) {
                        vsrx.deleteFile(f);
                    }
                }
                default -> {
                    if (live) {
                        vsrx.touchFile(f);
                    }
                }
            }
        }
        return names;
    }

    /**
     * New content of the file's type (a bad new version would be skipped and its good predecessor kept, which
     * a clean run of the final VSRX cannot show).
     */
    private static byte[] newContent(InMemoryVsrxSource vsrx, VsrxFileId f, SplittableRandom random, String tag) {
        boolean pdf = vsrx.findFile(f).map(v -> v.mimeType().equals("application/pdf")).orElse(false);
        String text = CONTENTS.get(random.nextInt(CONTENTS.size())) + " " + tag;
        return pdf ? (new String(SyncScenario.PDF, StandardCharsets.US_ASCII) + "% " + text + "\n")
                .getBytes(StandardCharsets.US_ASCII) : text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * {@code actual} without the {@code orphans} and with the {@code modifiedAt} of the files in
     * {@code changedBeforeDownload} taken from
     * {@code expected} when everything else of their mapping agrees. A file that changes between the listing
     * and its download is stored with the bytes and ETag it was served (rule 3), but the only
     * {@code modifiedAt} the engine knows is the listing's (the content response carries none); change
     * detection goes by the ETag, so that older {@code modifiedAt} stays until the file changes again. (A file
     * changed just after a download was served counts too: a retry of that download gets the new bytes.)
     */
    private static SilknoteSnapshot comparable(SilknoteSnapshot actual, SilknoteSnapshot expected,
            Set<VsrxFileId> changedBeforeDownload, Set<ContentHash> orphans) {
        java.util.TreeMap<VsrxFileId, SyncMapping> mappings = new java.util.TreeMap<>(actual.mappings());
        for (VsrxFileId f : changedBeforeDownload) {
            SyncMapping a = mappings.get(f);
            SyncMapping e = expected.mappings().get(f);
            if (a != null && e != null && a.etag().equals(e.etag()) && a.contentHash().equals(e.contentHash())
                    && a.size() == e.size()) {
                mappings.put(f, new SyncMapping(a.vsrxFileId(), a.silknoteDocumentUuid(), a.clientFileId(),
                        a.filesetId(), a.etag(), e.modifiedAt(), a.size(), a.contentHash(), a.syncedAt()));
            }
        }
        java.util.TreeSet<ContentHash> blobs = new java.util.TreeSet<>(actual.blobs());
        blobs.removeAll(orphans);
        return new SilknoteSnapshot(actual.documents(), mappings, actual.filesets(), actual.blobRefs(),
                blobs, actual.vectors(), actual.skips(), actual.outbox(), actual.state());
    }

    private static boolean live(InMemoryVsrxSource vsrx, VsrxFileId f) {
        return vsrx.findFile(f).map(v -> !v.deleted()).orElse(false);
    }

    private static VsrxFileId add(InMemoryVsrxSource vsrx, SplittableRandom random, FilesetId fs, int n) {
        if (random.nextInt(4) == 0) {
            byte[] pdf = (new String(SyncScenario.PDF, StandardCharsets.US_ASCII) + "% page " + random.nextInt(3)
                    + "\n").getBytes(StandardCharsets.US_ASCII);
            return vsrx.addFile(fs, "notes/scan-" + n + ".pdf", "application/pdf", pdf);
        }
        return vsrx.addFile(fs, "notes/file-" + n + ".txt", "text/plain",
                CONTENTS.get(random.nextInt(CONTENTS.size())));
    }

    private static SyncConfig config() {
        return SyncConfig.builder()
                .retryPolicy(new RetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(2), true))
                .filesetConcurrency(2).fileConcurrency(2).pageSize(3)
                .massDeleteGuard(new MassDeleteGuard(1.0, 1))
                .blobGracePeriod(Duration.ZERO)
                .build();
    }

    private static VsrxSync sync(VsrxSource source, SilknoteSimulator silknote, TestClock clock, long seed) {
        return VsrxSync.builder().source(source).documents(silknote.documents()).blobs(silknote.blobs())
                .vectors(silknote.vectors()).processor(silknote.processor()).lock(silknote.lock())
                .config(config()).clock(clock).sleeper(clock).random(new SplittableRandom(seed)).build();
    }

    /** The seeded fate of each request: {@value #FAULT_RATE} of them break, timeouts rarely (they cost time). */
    static FaultProxy.Decider decider(long seed) {
        return (target, nth) -> {
            SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + target.hashCode() * 31L + nth);
            if (r.nextDouble() >= FAULT_RATE) {
                return FaultProxy.Kind.NONE;
            }
            int w = r.nextInt(100);
            if (w < 16) {
                return FaultProxy.Kind.TOO_MANY_REQUESTS;
            } else if (w < 26) {
                return FaultProxy.Kind.UNAVAILABLE;
            } else if (w < 34) {
                return FaultProxy.Kind.INTERNAL_ERROR;
            } else if (w < 42) {
                return FaultProxy.Kind.BAD_GATEWAY;
            } else if (w < 56) {
                return FaultProxy.Kind.RESET_BEFORE_ANSWER;
            } else if (w < 68) {
                return FaultProxy.Kind.RESET_MID_BODY;
            } else if (w < 80) {
                return FaultProxy.Kind.TRUNCATED_BODY;
            } else if (w < 92) {
                return FaultProxy.Kind.SLOW_BODY;
            } else if (w < 96) {
                return FaultProxy.Kind.NO_ANSWER;
            }
            return FaultProxy.Kind.STALLED_BODY;
        };
    }

    /** VSRX's data port, with files that change (once) when their content is opened. */
    private static final class ChangingSource extends ForwardingVsrxSource {
        private final InMemoryVsrxSource delegate;
        private final Map<VsrxFileId, List<Change>> changes = new ConcurrentHashMap<>();
        private final Set<VsrxFileId> changedBefore = ConcurrentHashMap.newKeySet();
        private volatile boolean armed = true;

        /** A change; {@code apply} says whether it changed the file. */
        private record Change(boolean beforeDownload, java.util.function.BooleanSupplier apply) { }

        ChangingSource(InMemoryVsrxSource delegate) {
            super(delegate);
            this.delegate = delegate;
        }

        /** On the next download of {@code file}: {@code change} before the bytes are taken, or after. */
        void changeOnOpen(VsrxFileId file, boolean before, java.util.function.BooleanSupplier change) {
            changes.computeIfAbsent(file, k -> new ArrayList<>()).add(new Change(before, change));
        }

        /** The files that changed between a listing and a download (or a retried download) in that run. */
        Set<VsrxFileId> changedBeforeDownload() {
            return Set.copyOf(changedBefore);
        }

        void disarm() {
            armed = false;
            changes.clear();
        }

        @Override
        public FileContent openContent(VsrxFileId fileId) {
            List<Change> pending = armed ? changes.remove(fileId) : null;
            if (pending == null) {
                return delegate.openContent(fileId);
            }
            for (Change c : pending) {
                if (c.beforeDownload() && c.apply().getAsBoolean()) {
                    changedBefore.add(fileId);
                }
            }
            FileContent content = delegate.openContent(fileId);
            for (Change c : pending) {
                // served the old bytes; a retry of this download in the same run gets the new ones
                if (!c.beforeDownload() && c.apply().getAsBoolean()) {
                    changedBefore.add(fileId);
                }
            }
            return content;
        }
    }
}
