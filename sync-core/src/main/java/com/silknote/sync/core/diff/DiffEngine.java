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

/**
 * Decides what to do with every file of a fileset (DESIGN §2.3–2.5, 2.7, 2.11) from metadata only.
 * Pure, thread-safe and linear in the number of files and mappings (hash lookups, one pass each).
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
     * Plans one fileset.
     *
     * @throws NullPointerException when input is null
     */
    public Plan plan(DiffInput input) {
        requireNonNull(input, "input");
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
        FilePlan[] out = new FilePlan[files.size()];
        int n = 0;
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
                out[n++] = planListed(f, null, null, input);
            } else if (!slot.listed) {
                slot.listed = true;
                out[n++] = planListed(f, slot.mapping, slot.document, input);
            }
        }
        List<FilePlan> vanished = new ArrayList<>();
        for (Slot slot : slots.values()) {
            // A document whose mapping is gone (a restore, a manual fix) vanishes and follows a relink like any.
            if (!slot.listed && (slot.mapping != null || slot.document != null)) {
                vanished.add(planVanished(slot.mapping, slot.document, input));
            }
        }
        if (!vanished.isEmpty()) {
            vanished.sort((a, b) -> a.fileId().compareTo(b.fileId()));
            out = Arrays.copyOf(out, n + vanished.size());
            for (FilePlan v : vanished) {
                out[n++] = v;
            }
        }
        return Plan.handOver(out, n);
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

    private FilePlan planListed(VsrxFile f, SyncMapping m, SilknoteDocument d, DiffInput in) {
        if (heldByAnotherFileset(f.id(), m, d, in)) {
            // Another fileset (possibly another patient's) holds this id: touch nothing, report it every run;
            // a deletion listed here never deletes another fileset's document either.
            return plan(f, PlanAction.CONFLICT, m, d, null, DETAIL_OTHER_FILESET, null);
        }
        boolean touched = d != null && !d.metadata().untouchedBySilknoteUser();
        boolean relinked = d != null && !d.patientUuid().equals(in.patientUuid());
        if (touched && relinked) {
            // A user-modified document stays on its patient; the move is reported every run while it lasts.
            return plan(f, PlanAction.CONFLICT, m, d, null, DETAIL_RELINKED_USER_MODIFIED, null);
        }
        if (f.deleted()) {
            if (m == null && d == null) {
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
        return plan(f, PlanAction.METADATA_ONLY, m, d, null,
                d.patientUuid().equals(in.patientUuid()) ? "metadata-drift" : DETAIL_RELINKED, path);
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
        if (d != null && !d.patientUuid().equals(in.patientUuid())) {
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
