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
            if (!slot.listed && slot.mapping != null) {
                vanished.add(planVanished(slot.mapping, slot.document));
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
