package com.silknote.sync.core.diff;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.ChangeDetectionMode;
import com.silknote.sync.core.model.PermanentSkip;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.VanishedFilePolicy;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.path.PathVerdict;
import java.util.Arrays;
import java.util.List;

/**
 * Decides what to do with every file of a fileset (DESIGN §2.3–2.5, 2.7, 2.11) from metadata only.
 * Pure, thread-safe and linear in the number of files and mappings (hash lookups, one pass each).
 *
 * <ul>
 *   <li>{@code deleted == true} is the only signal that deletes; a user-modified document is never
 *       deleted or overwritten ({@link PlanAction#CONFLICT}).</li>
 *   <li>A mapped file missing from the listing is {@link PlanAction#VANISHED}, or deleted under
 *       {@link VanishedFilePolicy#DELETE}.</li>
 *   <li>A version remembered as refused is skipped with {@link SkipReason#REMEMBERED_SKIP}.</li>
 *   <li>Invalid paths, listed sizes above the limit and MIME types outside the allow-list are skipped
 *       before any download.</li>
 *   <li>A changed version whose declared SHA-256 equals the synced one is metadata-only.</li>
 * </ul>
 */
public final class DiffEngine {
    private final DiffPolicy policy;

    /**
     * An engine applying {@code policy}.
     *
     * @throws NullPointerException when policy is null
     */
    public DiffEngine(DiffPolicy policy) {
        this.policy = requireNonNull(policy, "policy");
    }

    /**
     * Plans one fileset.
     *
     * @throws NullPointerException when input is null
     */
    public Plan plan(DiffInput input) {
        requireNonNull(input, "input");
        List<VsrxFile> files = input.files();
        // One open-addressing table for mappings and documents; a slot remembers whether the listing had the
        // file. Parallel arrays: no object per entry.
        Index index = new Index(Math.max(files.size(), Math.max(input.mappings().size(), input.documents().size())));
        for (SyncMapping m : input.mappings()) {
            index.putMapping(m.vsrxFileId(), m);
        }
        for (SilknoteDocument d : input.documents()) {
            index.putDocument(d.clientFileId(), d);
        }
        FilePlan[] out = new FilePlan[files.size()];
        int n = 0;
        int listedMapped = 0;
        VsrxFileId previous = null;
        for (VsrxFile f : files) {
            VsrxFileId id = f.id();
            if (id.equals(previous)) {
                continue; // a listing repeating an id: the first occurrence counts
            }
            previous = id;
            int slot = index.markListed(id);
            if (slot >= 0) {
                SyncMapping m = index.mappings[slot];
                if (m != null) {
                    listedMapped++;
                }
                out[n++] = planListed(f, m, index.documents[slot], input);
            }
        }
        int vanishedCount = index.mapped - listedMapped;
        if (vanishedCount > 0) {
            FilePlan[] vanished = new FilePlan[vanishedCount];
            int v = 0;
            for (int i = 0; i < index.keys.length; i++) {
                SyncMapping m = index.mappings[i];
                if (m != null && !index.listed[i]) {
                    vanished[v++] = planVanished(m, index.documents[i]);
                }
            }
            Arrays.sort(vanished, (a, b) -> a.fileId().compareTo(b.fileId()));
            out = Arrays.copyOf(out, n + vanishedCount);
            System.arraycopy(vanished, 0, out, n, vanishedCount);
            n += vanishedCount;
        }
        return Plan.handOver(out, n);
    }

    /**
     * What Silknote holds per file id, and whether the listing had it: linear probing over parallel arrays,
     * at most half full. A later mapping or document for the same id replaces an earlier one.
     */
    private static final class Index {
        VsrxFileId[] keys;
        SyncMapping[] mappings;
        SilknoteDocument[] documents;
        boolean[] listed;
        int size;
        /** Slots with a mapping. */
        int mapped;
        private int shift;

        Index(int expected) {
            int capacity = 16;
            while (capacity < 2L * expected && capacity < (1 << 30)) {
                capacity <<= 1;
            }
            allocate(capacity);
        }

        private void allocate(int capacity) {
            keys = new VsrxFileId[capacity];
            mappings = new SyncMapping[capacity];
            documents = new SilknoteDocument[capacity];
            listed = new boolean[capacity];
            shift = Integer.numberOfLeadingZeros(capacity) + 1;
        }

        private int home(VsrxFileId id) {
            return (id.hashCode() * 0x9E3779B9) >>> shift;
        }

        /** The slot of {@code id}, inserted when absent. */
        private int slot(VsrxFileId id) {
            int mask = keys.length - 1;
            int i = home(id);
            while (true) {
                VsrxFileId k = keys[i];
                if (k == null) {
                    if (2 * (size + 1) > keys.length && keys.length < (1 << 30)) {
                        grow();
                        return slot(id);
                    }
                    keys[i] = id;
                    size++;
                    return i;
                }
                if (k == id || k.equals(id)) {
                    return i;
                }
                i = (i + 1) & mask;
            }
        }

        private void grow() {
            VsrxFileId[] oldKeys = keys;
            SyncMapping[] oldMappings = mappings;
            SilknoteDocument[] oldDocuments = documents;
            boolean[] oldListed = listed;
            allocate(oldKeys.length << 1);
            int mask = keys.length - 1;
            for (int j = 0; j < oldKeys.length; j++) {
                VsrxFileId k = oldKeys[j];
                if (k != null) {
                    int i = home(k);
                    while (keys[i] != null) {
                        i = (i + 1) & mask;
                    }
                    keys[i] = k;
                    mappings[i] = oldMappings[j];
                    documents[i] = oldDocuments[j];
                    listed[i] = oldListed[j];
                }
            }
        }

        void putMapping(VsrxFileId id, SyncMapping m) {
            int i = slot(id);
            if (mappings[i] == null) {
                mapped++;
            }
            mappings[i] = m;
        }

        void putDocument(VsrxFileId id, SilknoteDocument d) {
            documents[slot(id)] = d;
        }

        /** Marks {@code id} listed and returns its slot, or -1 when it was listed already. */
        int markListed(VsrxFileId id) {
            int i = slot(id);
            if (listed[i]) {
                return -1;
            }
            listed[i] = true;
            return i;
        }
    }

    private FilePlan planListed(VsrxFile f, SyncMapping m, SilknoteDocument d, DiffInput in) {
        boolean touched = d != null && !d.metadata().untouchedBySilknoteUser();
        if (f.deleted()) {
            if (m == null && d == null) {
                return plan(f, PlanAction.UNCHANGED, m, d, null, "deleted-never-synced", null);
            }
            if (touched) {
                return plan(f, PlanAction.CONFLICT, m, d, null, "deleted-but-user-modified", null);
            }
            return plan(f, PlanAction.DELETE, m, d, null, null, null);
        }
        boolean fullHash = policy.mode() == ChangeDetectionMode.FULL_HASH;
        boolean changed;
        boolean verifyHash = false;
        if (m == null || d == null) {
            changed = true;
        } else {
            changed = ChangeDetection.versionChanged(f, m)
                    || fullHash && f.sha256().isPresent() && !f.sha256().get().equals(m.contentHash());
            verifyHash = !changed && fullHash && f.sha256().isEmpty();
        }
        if (!changed && !verifyHash) {
            if (touched) {
                return plan(f, PlanAction.UNCHANGED, m, d, null, "user-modified", null);
            }
            return unchangedOrMetadata(f, m, d, in);
        }
        if (touched) {
            if (verifyHash) {
                return plan(f, PlanAction.UNCHANGED, m, d, null, "user-modified", null);
            }
            return plan(f, PlanAction.CONFLICT, m, d, null, "changed-but-user-modified", null);
        }
        PermanentSkip skip = in.skips().get(f.id());
        if (skip != null && skip.version().equals(ChangeDetection.versionKey(f))) {
            return plan(f, PlanAction.SKIP, m, d, SkipReason.REMEMBERED_SKIP, skip.reason().name(), null);
        }
        PathVerdict verdict = policy.pathCheck().apply(f.path());
        if (!verdict.accepted()) {
            return plan(f, PlanAction.SKIP, m, d, SkipReason.INVALID_PATH,
                    verdict.reason().map(Enum::name).orElse("REJECTED"), null);
        }
        String path = verdict.normalized().orElseThrow();
        if (f.size() > policy.maxFileSizeBytes()) {
            return plan(f, PlanAction.SKIP, m, d, SkipReason.TOO_LARGE, "listed-size", null);
        }
        if (!policy.mimeAllowed(f.mimeType())) {
            return plan(f, PlanAction.SKIP, m, d, SkipReason.UNSUPPORTED_TYPE, "declared-type", null);
        }
        if (m == null || d == null) {
            return plan(f, PlanAction.CREATE, m, d, null, d != null ? "document-without-mapping" : null, path);
        }
        if (f.sha256().isPresent() && f.sha256().get().equals(m.contentHash())) {
            return plan(f, PlanAction.METADATA_ONLY, m, d, null, "same-declared-hash", path);
        }
        return plan(f, PlanAction.UPDATE, m, d, null, verifyHash ? "verify-hash" : null, path);
    }

    /** Same version as synced: metadata-only when what the document records has drifted, else unchanged. */
    private FilePlan unchangedOrMetadata(VsrxFile f, SyncMapping m, SilknoteDocument d, DiffInput in) {
        requireNonNull(d, "d");
        boolean sameOwner = d.patientUuid().equals(in.patientUuid())
                && d.metadata().patientIdHistory().equals(in.patientIdHistory());
        String stored = d.metadata().originalPath();
        if (sameOwner && stored.equals(f.path())) {
            return plan(f, PlanAction.UNCHANGED, m, d, null, null, null);
        }
        PathVerdict verdict = policy.pathCheck().apply(f.path());
        if (!verdict.accepted()) {
            return plan(f, PlanAction.SKIP, m, d, SkipReason.INVALID_PATH,
                    verdict.reason().map(Enum::name).orElse("REJECTED"), null);
        }
        String path = verdict.normalized().orElseThrow();
        if (sameOwner && stored.equals(path)) {
            return plan(f, PlanAction.UNCHANGED, m, d, null, null, null);
        }
        return plan(f, PlanAction.METADATA_ONLY, m, d, null, "metadata-drift", path);
    }

    private FilePlan planVanished(SyncMapping m, SilknoteDocument d) {
        if (policy.vanished() == VanishedFilePolicy.DELETE) {
            if (d != null && !d.metadata().untouchedBySilknoteUser()) {
                return new FilePlan(m.vsrxFileId(), PlanAction.CONFLICT, null, m, d, null,
                        "vanished-but-user-modified", null);
            }
            return new FilePlan(m.vsrxFileId(), PlanAction.DELETE, null, m, d, null, "vanished", null);
        }
        return new FilePlan(m.vsrxFileId(), PlanAction.VANISHED, null, m, d, null, "vanished", null);
    }

    private static FilePlan plan(VsrxFile f, PlanAction action, SyncMapping m, SilknoteDocument d,
            SkipReason reason, String detail, String path) {
        return new FilePlan(f.id(), action, f, m, d, reason, detail, path);
    }
}
