package com.silknote.sync.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.model.DocumentUuid;
import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientFilesetRecord;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.RetryPolicy;
import com.silknote.sync.core.model.SilknoteChange;
import com.silknote.sync.core.model.SilknoteChangePage;
import com.silknote.sync.core.port.DocumentStore;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * docs/bidirectional.md §6 (the change position stored only by a complete run): what the change feed reads for a
 * run. The settled position is the one the store answered on the <em>first</em> page: a change committed while
 * the run pages on has a position at or after it and is read again by the next run; a later page's settled
 * position would skip it. Also every page is read (cursor followed), and a change filed under no fileset brings
 * its patient's filesets.
 */
class SilknoteChangeFeedReadingTest {
    private static final FilesetId A = FilesetId.of("fs-a");
    private static final FilesetId B = FilesetId.of("fs-b");
    private static final FilesetId C = FilesetId.of("fs-c");
    private static final PatientUuid P = new PatientUuid(UUID.nameUUIDFromBytes(new byte[] {1}));
    private static final PatientUuid Q = new PatientUuid(UUID.nameUUIDFromBytes(new byte[] {2}));

    private final Retrier retrier = new Retrier(RetryPolicy.none(), d -> { }, new Random(1));
    /** The calls the store saw, in order: "position", "changes from=F cursor=C limit=L", "filesets". */
    private final List<String> calls = new ArrayList<>();

    /** A store that answers the change position, scripted pages and the filesets of patients; nothing else. */
    private DocumentStore store(long position, List<SilknoteChangePage> pages,
            Map<PatientUuid, List<FilesetId>> filesetsOfPatient) {
        return (DocumentStore) Proxy.newProxyInstance(DocumentStore.class.getClassLoader(),
                new Class<?>[] {DocumentStore.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "loadChangePosition" -> {
                            calls.add("position");
                            return position;
                        }
                        case "silknoteChanges" -> {
                            @SuppressWarnings("unchecked")
                            Optional<String> cursor = (Optional<String>) args[1];
                            calls.add("changes from=" + args[0] + " cursor=" + cursor.orElse("-") + " limit=" + args[2]);
                            int page = cursor.map(Integer::parseInt).orElse(0);
                            return pages.get(page);
                        }
                        case "filesetsOfPatient" -> {
                            calls.add("filesets");
                            return filesetsOfPatient.getOrDefault((PatientUuid) args[0], List.of()).stream()
                                    .map(f -> new PatientFilesetRecord(f, (PatientUuid) args[0],
                                            List.of(PatientId.of("P-1")), Instant.EPOCH))
                                    .toList();
                        }
                        default -> throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    private static SilknoteChange change(long position, PatientUuid patient, Optional<FilesetId> fileset) {
        return new SilknoteChange(position, new DocumentUuid(UUID.nameUUIDFromBytes(new byte[] {(byte) position})),
                patient, fileset, false);
    }

    private static SilknoteChangePage page(Optional<String> next, long settled, SilknoteChange... changes) {
        return new SilknoteChangePage(List.of(changes), next, settled);
    }

    @Test
    @DisplayName("§6: the settled position is the first page's, every page is read from the stored position")
    void settledPositionIsTheFirstPagesAndEveryPageIsRead() {
        List<SilknoteChangePage> pages = List.of(
                page(Optional.of("1"), 40, change(10, P, Optional.of(A))),
                page(Optional.of("2"), 55, change(20, P, Optional.of(B))),
                page(Optional.empty(), 60, change(30, P, Optional.of(A))));
        SilknoteChangeFeed feed = new SilknoteChangeFeed(store(7, pages, Map.of()), retrier);

        SilknoteChangeFeed.Reading r = feed.read();

        assertThat(r.settledPosition()).as("a later page's settled position would skip changes committed meanwhile")
                .hasValue(40);
        assertThat(r.filesets()).containsExactly(A, B);
        assertThat(r.changes()).isEqualTo(3);
        assertThat(calls).containsExactly("position",
                "changes from=7 cursor=- limit=" + SilknoteChangeFeed.PAGE,
                "changes from=7 cursor=1 limit=" + SilknoteChangeFeed.PAGE,
                "changes from=7 cursor=2 limit=" + SilknoteChangeFeed.PAGE);
    }

    @Test
    @DisplayName("§6: a change filed under no fileset brings every fileset of its patient, and only those")
    void aChangeWithoutAFilesetBringsItsPatientsFilesets() {
        List<SilknoteChangePage> pages = List.of(page(Optional.empty(), 12,
                change(10, P, Optional.empty()), change(11, Q, Optional.of(C))));
        Map<PatientUuid, List<FilesetId>> ofPatient = Map.of(P, List.of(B, A), Q, List.of(FilesetId.of("fs-q")));
        SilknoteChangeFeed feed = new SilknoteChangeFeed(store(9, pages, ofPatient), retrier);

        SilknoteChangeFeed.Reading r = feed.read();

        assertThat(r.filesets()).containsExactly(A, B, C);
        assertThat(r.settledPosition()).hasValue(12);
        assertThat(r.changes()).isEqualTo(2);
    }

    @Test
    @DisplayName("§6: nothing changed: no fileset, the settled position still answered (and stored by a complete run)")
    void nothingChanged() {
        SilknoteChangeFeed feed = new SilknoteChangeFeed(store(5, List.of(page(Optional.empty(), 5)), Map.of()),
                retrier);

        SilknoteChangeFeed.Reading r = feed.read();

        assertThat(r.filesets()).isEmpty();
        assertThat(r.settledPosition()).hasValue(5);
        assertThat(r.changes()).isZero();
    }

    @Test
    @DisplayName("§6: a full run reads only the settled position, from the stored one, with one change at most")
    void settledOnlyReadsOneSmallPage() {
        SilknoteChangeFeed feed = new SilknoteChangeFeed(store(3, List.of(
                page(Optional.of("1"), 21, change(4, P, Optional.of(A)))), Map.of()), retrier);

        SilknoteChangeFeed.Reading r = feed.settledOnly();

        assertThat(r.settledPosition()).hasValue(21);
        assertThat(r.filesets()).as("a full run looks at every fileset anyway").isEmpty();
        assertThat(r.changes()).isZero();
        assertThat(calls).containsExactly("position", "changes from=3 cursor=- limit=1");
    }
}
