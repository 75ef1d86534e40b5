package com.silknote.sync.core.diff;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.ChangeDetectionMode;
import com.silknote.sync.core.model.PermanentSkip;
import com.silknote.sync.core.model.RemovedDocumentPolicy;
import com.silknote.sync.core.model.SilknoteDocument;
import com.silknote.sync.core.model.SkipReason;
import com.silknote.sync.core.model.SyncMapping;
import com.silknote.sync.core.model.VanishedFilePolicy;
import com.silknote.sync.core.model.VsrxFile;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.core.path.PathVerdict;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;

/**
 * Decides what to do with every file of a fileset (DESIGN §2.3–2.5, 2.7, 2.11) from metadata only.
 * Pure, thread-safe and linear in the number of files and mappings (hash lookups, one pass each). The plan
 * holds an entry only for a file that needs action or reporting; unchanged files are counted
 * ({@link Plan#unchanged()}), so planning a fileset of a million unchanged files allocates no entry per file.
 *
 * <ul>
 *   <li>{@code deleted == true} is the only signal that deletes; a user-modified document is never
 *       deleted or overwritten ({@link PlanAction#CONFLICT}).</li>
 *   <li>A mapped file (or a document whose mapping is gone) missing from the listing is
 *       {@link PlanAction#VANISHED}, or deleted under {@link VanishedFilePolicy#DELETE}.</li>
 *   <li>A version remembered as refused is skipped with {@link SkipReason#REMEMBERED_SKIP}.</li>
 *   <li>Invalid paths, listed sizes above the limit and MIME types outside the allow-list are skipped
 *       before any download.</li>
 *   <li>A listed SHA-256 never decides that content is unchanged: a changed version is downloaded and its
 *       bytes compared (in {@code FULL_HASH} mode every live synced file is).</li>
 *   <li>Histories the sync did not make itself end in a conflict or a correct state (issue 9 item 3): a
 *       listed id (live or deleted) another fileset holds is {@link #DETAIL_OTHER_FILESET}; a document a user
 *       removed while its mapping stays is {@link #DETAIL_DOCUMENT_REMOVED} (or created again under
 *       {@link RemovedDocumentPolicy#RESTORE}); a deleted file whose document is gone deletes the mapping; a
 *       fileset linked to another patient moves its untouched documents ({@link #DETAIL_RELINKED}) and
 *       leaves user-modified ones in conflict ({@link #DETAIL_RELINKED_USER_MODIFIED}).</li>
 *   <li>A document the re-booking migration moved to another patient fileset (DESIGN rule 13,
 *       {@link #migrated}) is still this fileset's file's document: it is updated and deleted where it is now,
 *       with the patient and patient-id history of the fileset that holds it, never reported removed, never
 *       moved back and never taken for a re-link.</li>
 * </ul>
 */
public final class DiffEngine {
    /**
     * Detail of a file marked deleted that Silknote holds nothing of (never synced, or deleted by an earlier
     * run): nothing to do.
     */
    public static final String DETAIL_DELETED_NOT_IN_SILKNOTE = "deleted-not-in-silknote";
    /** Detail of a file id listed here while another fileset holds its mapping or document. */
    public static final String DETAIL_OTHER_FILESET = "file-id-in-other-fileset";
    /** Detail of a live file whose document a Silknote user removed while its mapping stays. */
    public static final String DETAIL_DOCUMENT_REMOVED = "document-removed-in-silknote";
    /** Detail of a removed document created again ({@link RemovedDocumentPolicy#RESTORE}). */
    public static final String DETAIL_RESTORED = "restored";
    /** Detail of a document that moves to the fileset's new Silknote patient. */
    public static final String DETAIL_RELINKED = "relinked";
    /** Detail of a user-modified document left on the patient the fileset was linked to before. */
    public static final String DETAIL_RELINKED_USER_MODIFIED = "relinked-but-user-modified";

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
     * {@code true} for a document the re-booking migration moved to another patient fileset while its file
     * stays in VSRX's old one ({@code metadata.migratedFrom}). Such a document keeps the patient, fileset and
     * patient-id history it was moved to; the old fileset's sync only follows its file's changes.
     *
     * @throws NullPointerException when document is null
     */
    public static boolean migrated(SilknoteDocument document) {
        return document.metadata().migratedFrom().isPresent();
    }

    /**
     * Plans one fileset.
     *
     * @throws NullPointerException when input is null
     */
    public Plan plan(DiffInput input) {
        requireNonNull(input, "input");
        Plan merged = planSorted(input);
        return merged != null ? merged : planHashed(input);
    }

    /**
     * The plan by one merge of the three inputs, when each is in file id order: the listing (an id may repeat
     * in a row), the mappings and the documents (each id once), as the ledger and VSRX usually give them. No
     * table and no allocation per file: an unchanged file costs a few comparisons. {@code null} as soon as an
     * input turns out not to be in that order; the caller then plans with {@link #planHashed}, which decides
     * every file the same way.
     */
    private Plan planSorted(DiffInput in) {
        List<VsrxFile> files = in.files();
        List<SyncMapping> mappings = in.mappings();
        List<SilknoteDocument> documents = in.documents();
        if (!(files instanceof RandomAccess && mappings instanceof RandomAccess && documents instanceof RandomAccess)) {
            return null;
        }
        Entries out = new Entries(files.size());
        List<FilePlan> vanished = new ArrayList<>();
        int fi = 0;
        int mi = 0;
        int di = 0;
        int nf = files.size();
        int nm = mappings.size();
        int nd = documents.size();
        VsrxFileId lastFile = null;
        VsrxFileId lastMapping = null;
        VsrxFileId lastDocument = null;
        while (fi < nf || mi < nm) {
            VsrxFile f = null;
            VsrxFileId fid = null;
            if (fi < nf) {
                f = files.get(fi);
                fid = f.id();
                if (lastFile != null) {
                    int c = fid.compareTo(lastFile);
                    if (c == 0) {
                        fi++; // a listing repeating an id: the first occurrence counts
                        continue;
                    }
                    if (c < 0) {
                        return null;
                    }
                }
            }
            SyncMapping m = mi < nm ? mappings.get(mi) : null;
            VsrxFileId mid = m != null ? m.vsrxFileId() : null;
            if (mid != null && lastMapping != null && mid.compareTo(lastMapping) <= 0) {
                return null;
            }
            // the smallest id still ahead in the listing and the mappings
            VsrxFileId key = fid == null ? mid : mid == null || fid.compareTo(mid) <= 0 ? fid : mid;
            // a document of a smaller id has no mapping and is not listed: it vanished (as planHashed decides),
            // unless the re-booking migration moved it here (its mapping is in the fileset its file lives in)
            SilknoteDocument d = null;
            while (di < nd) {
                SilknoteDocument candidate = documents.get(di);
                VsrxFileId did = candidate.clientFileId();
                if (lastDocument != null && did.compareTo(lastDocument) <= 0) {
                    return null;
                }
                int c = did.compareTo(key);
                if (c > 0) {
                    break;
                }
                lastDocument = did;
                di++;
                if (c == 0) {
                    d = candidate;
                    break;
                }
                if (!migrated(candidate)) {
                    vanished.add(planVanished(null, candidate, in));
                }
            }
            boolean mapped = mid != null && mid.equals(key);
            if (mapped) {
                lastMapping = mid;
                mi++;
            } else {
                m = null;
            }
            if (fid != null && fid.equals(key)) {
                lastFile = fid;
                fi++;
                out.add(planListed(f, m, d, in));
            } else {
                vanished.add(planVanished(m, d, in));
            }
        }
        // The rest of the documents (neither listed nor mapped: vanished) must be in order too, or one passed
        // over may have matched an earlier id.
        for (; di < nd; di++) {
            SilknoteDocument rest = documents.get(di);
            VsrxFileId did = rest.clientFileId();
            if (lastDocument != null && did.compareTo(lastDocument) <= 0) {
                return null;
            }
            lastDocument = did;
            if (!migrated(rest)) {
                vanished.add(planVanished(null, rest, in));
            }
        }
        return out.plan(vanished);
    }

    /** The plan through one hash table of mappings and documents, for inputs in any order. */
    private Plan planHashed(DiffInput input) {
        List<VsrxFile> files = input.files();
        // One hash table for mappings and documents; a slot remembers whether the listing had the file.
        // (A HashMap keeps ids listed in order close together in memory, which beats open addressing here.)
        Map<VsrxFileId, Slot> slots = new HashMap<>(capacity(Math.max(input.mappings().size(),
                input.documents().size())));
        for (SyncMapping m : input.mappings()) {
            slots.put(m.vsrxFileId(), new Slot(m));
        }
        for (SilknoteDocument d : input.documents()) {
            Slot slot = slots.get(d.clientFileId());
            if (slot == null) {
                slot = new Slot(null);
                slots.put(d.clientFileId(), slot);
            }
            slot.document = d;
        }
        Entries out = new Entries(files.size());
        VsrxFileId previous = null;
        for (VsrxFile f : files) {
            VsrxFileId id = f.id();
            if (id.equals(previous)) {
                continue; // a listing repeating an id: the first occurrence counts
            }
            previous = id;
            Slot slot = slots.get(id);
            if (slot == null) {
                slots.put(id, Slot.LISTED_UNKNOWN);
                out.add(planListed(f, null, null, input));
            } else if (!slot.listed) {
                slot.listed = true;
                out.add(planListed(f, slot.mapping, slot.document, input));
            }
        }
        List<FilePlan> vanished = new ArrayList<>();
        for (Slot slot : slots.values()) {
            // A document whose mapping is gone (a restore, a manual fix) vanishes and follows a relink like any;
            // one the re-booking migration moved here has its mapping in the fileset its file lives in (rule 13).
            if (!slot.listed && (slot.mapping != null || slot.document != null && !migrated(slot.document))) {
                vanished.add(planVanished(slot.mapping, slot.document, input));
            }
        }
        vanished.sort((a, b) -> a.fileId().compareTo(b.fileId()));
        return out.plan(vanished);
    }

    /** The plan being built: entries for files that need action or reporting, a count of unchanged ones. */
    private static final class Entries {
        private final int listed;
        private FilePlan[] entries = new FilePlan[16];
        private int n;
        private long unchanged;

        Entries(int listed) {
            this.listed = listed;
        }

        /** Adds a listed file's plan; {@code null} counts it as unchanged. */
        void add(FilePlan p) {
            if (p == null) {
                unchanged++;
                return;
            }
            if (n == entries.length) {
                // doubling, never far beyond the listing's size
                entries = Arrays.copyOf(entries, (int) Math.max(n + 1L, Math.min(2L * n, listed + 16L)));
            }
            entries[n++] = p;
        }

        /** The plan: the entries, then the vanished files (in id order). */
        Plan plan(List<FilePlan> vanished) {
            if (!vanished.isEmpty()) {
                entries = Arrays.copyOf(entries, n + vanished.size());
                for (FilePlan v : vanished) {
                    entries[n++] = v;
                }
            }
            return Plan.handOver(entries, n, unchanged);
        }
    }

    /** What Silknote holds for one file id. */
    private static final class Slot {
        /** A listed file Silknote knows nothing about: shared, never changed. */
        static final Slot LISTED_UNKNOWN = new Slot(null, true);

        final SyncMapping mapping;
        SilknoteDocument document;
        boolean listed;

        Slot(SyncMapping mapping) {
            this(mapping, false);
        }

        private Slot(SyncMapping mapping, boolean listed) {
            this.mapping = mapping;
            this.listed = listed;
        }
    }

    private static int capacity(int n) {
        return (int) Math.min(Integer.MAX_VALUE - 8, n / 0.75 + 16);
    }

    /** The plan of a listed file; {@code null} when it is counted as unchanged (see {@link Plan}). */
    private FilePlan planListed(VsrxFile f, SyncMapping m, SilknoteDocument d, DiffInput in) {
        if (heldByAnotherFileset(f.id(), m, d, in)) {
            // Another fileset (possibly another patient's) holds this id: touch nothing, report it every run;
            // a deletion listed here never deletes another fileset's document either.
            return plan(f, PlanAction.CONFLICT, m, d, null, DETAIL_OTHER_FILESET, null);
        }
        boolean touched = d != null && !d.metadata().untouchedBySilknoteUser();
        boolean relinked = d != null && !migrated(d) && !d.patientUuid().equals(in.patientUuid());
        if (touched && relinked) {
            // A user-modified document stays on its patient; the move is reported every run while it lasts.
            return plan(f, PlanAction.CONFLICT, m, d, null, DETAIL_RELINKED_USER_MODIFIED, null);
        }
        if (f.deleted()) {
            if (m == null && d == null) {
                // Reported (not counted): it tells the operator nothing is left to delete (issue 9.3).
                return plan(f, PlanAction.UNCHANGED, m, d, null, DETAIL_DELETED_NOT_IN_SILKNOTE, null);
            }
            if (touched) {
                return plan(f, PlanAction.CONFLICT, m, d, null, "deleted-but-user-modified", null);
            }
            return plan(f, PlanAction.DELETE, m, d, null, d == null ? DETAIL_DOCUMENT_REMOVED : null, null);
        }
        if (m != null && d == null && policy.removedDocuments() == RemovedDocumentPolicy.REPORT) {
            return plan(f, PlanAction.CONFLICT, m, d, null, DETAIL_DOCUMENT_REMOVED, null);
        }
        boolean fullHash = policy.mode() == ChangeDetectionMode.FULL_HASH;
        // A listed sha256 never decides that content is unchanged: a changed version is downloaded and its
        // bytes compared; in FULL_HASH mode every live synced file is.
        boolean changed = m == null || d == null || ChangeDetection.versionChanged(f, m);
        boolean verifyHash = !changed && fullHash;
        if (!changed && !verifyHash) {
            if (touched) {
                return null; // the user's document stays as it is: nothing to write, counted as unchanged
            }
            return unchangedOrMetadata(f, m, d, in);
        }
        if (touched) {
            if (verifyHash) {
                return null;
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
            String detail = d != null ? "document-without-mapping" : m != null ? DETAIL_RESTORED : null;
            return plan(f, PlanAction.CREATE, m, d, null, detail, path);
        }
        return plan(f, PlanAction.UPDATE, m, d, null, verifyHash ? "verify-hash" : relinked ? DETAIL_RELINKED : null,
                path);
    }

    /** The id is listed here while another fileset holds its mapping or its document. */
    private static boolean heldByAnotherFileset(VsrxFileId id, SyncMapping m, SilknoteDocument d, DiffInput in) {
        return m == null && in.foreignMappings().containsKey(id) || d == null && in.foreignDocuments().containsKey(id);
    }

    /**
     * Same version as synced: metadata-only when what the document records has drifted, else {@code null}
     * (counted as unchanged).
     */
    private FilePlan unchangedOrMetadata(VsrxFile f, SyncMapping m, SilknoteDocument d, DiffInput in) {
        requireNonNull(d, "d");
        // A migrated document keeps the owner it was moved to: only its path follows the file.
        boolean sameOwner = migrated(d) || d.patientUuid().equals(in.patientUuid())
                && d.metadata().patientIdHistory().equals(in.patientIdHistory());
        String stored = d.metadata().originalPath();
        if (sameOwner && stored.equals(f.path())) {
            return null;
        }
        PathVerdict verdict = policy.pathCheck().apply(f.path());
        if (!verdict.accepted()) {
            return plan(f, PlanAction.SKIP, m, d, SkipReason.INVALID_PATH,
                    verdict.reason().map(Enum::name).orElse("REJECTED"), null);
        }
        String path = verdict.normalized().orElseThrow();
        if (sameOwner && stored.equals(path)) {
            return null;
        }
        return plan(f, PlanAction.METADATA_ONLY, m, d, null,
                migrated(d) || d.patientUuid().equals(in.patientUuid()) ? "metadata-drift" : DETAIL_RELINKED, path);
    }

    /** A known file the listing did not return; {@code m} or {@code d} may be null, not both. */
    private FilePlan planVanished(SyncMapping m, SilknoteDocument d, DiffInput in) {
        VsrxFileId id = m != null ? m.vsrxFileId() : d.clientFileId();
        boolean touched = d != null && !d.metadata().untouchedBySilknoteUser();
        if (policy.vanished() == VanishedFilePolicy.DELETE) {
            if (touched) {
                return new FilePlan(id, PlanAction.CONFLICT, null, m, d, null, "vanished-but-user-modified", null);
            }
            return new FilePlan(id, PlanAction.DELETE, null, m, d, null, "vanished", null);
        }
        if (d != null && !migrated(d) && !d.patientUuid().equals(in.patientUuid())) {
            // The fileset's documents follow it to its new patient, listed or not; user-modified ones stay.
            return touched
                    ? new FilePlan(id, PlanAction.CONFLICT, null, m, d, null, DETAIL_RELINKED_USER_MODIFIED, null)
                    : new FilePlan(id, PlanAction.METADATA_ONLY, null, m, d, null, DETAIL_RELINKED, null);
        }
        return new FilePlan(id, PlanAction.VANISHED, null, m, d, null, "vanished", null);
    }

    private static FilePlan plan(VsrxFile f, PlanAction action, SyncMapping m, SilknoteDocument d,
            SkipReason reason, String detail, String path) {
        return new FilePlan(f.id(), action, f, m, d, reason, detail, path);
    }
}
