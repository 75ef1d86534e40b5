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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
        // One hash table for mappings and documents; a slot remembers whether the listing had the file.
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
        List<FilePlan> out = new ArrayList<>(input.files().size() + 16);
        VsrxFileId previous = null;
        for (VsrxFile f : input.files()) {
            if (f.id().equals(previous)) {
                continue; // a listing repeating an id: the first occurrence counts
            }
            previous = f.id();
            Slot slot = slots.get(f.id());
            if (slot == null) {
                Slot fresh = new Slot(null);
                fresh.listed = true;
                slots.put(f.id(), fresh);
                out.add(planListed(f, null, null, input));
            } else if (!slot.listed) {
                slot.listed = true;
                out.add(planListed(f, slot.mapping, slot.document, input));
            }
        }
        List<FilePlan> vanished = new ArrayList<>();
        for (Slot slot : slots.values()) {
            if (!slot.listed && slot.mapping != null) {
                vanished.add(planVanished(slot.mapping, slot.document));
            }
        }
        vanished.sort((a, b) -> a.fileId().compareTo(b.fileId()));
        out.addAll(vanished);
        return new Plan(out);
    }

    /** What Silknote holds for one file id. */
    private static final class Slot {
        final SyncMapping mapping;
        SilknoteDocument document;
        boolean listed;

        Slot(SyncMapping mapping) {
            this.mapping = mapping;
        }
    }

    private FilePlan planListed(VsrxFile f, SyncMapping m, SilknoteDocument d, DiffInput in) {
        Optional<SyncMapping> om = Optional.ofNullable(m);
        Optional<SilknoteDocument> od = Optional.ofNullable(d);
        boolean touched = d != null && !d.metadata().untouchedBySilknoteUser();
        if (f.deleted()) {
            if (m == null && d == null) {
                return plan(f, PlanAction.UNCHANGED, om, od, null, "deleted-never-synced", null);
            }
            if (touched) {
                return plan(f, PlanAction.CONFLICT, om, od, null, "deleted-but-user-modified", null);
            }
            return plan(f, PlanAction.DELETE, om, od, null, null, null);
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
                return plan(f, PlanAction.UNCHANGED, om, od, null, "user-modified", null);
            }
            return unchangedOrMetadata(f, om, od, in);
        }
        if (touched) {
            if (verifyHash) {
                return plan(f, PlanAction.UNCHANGED, om, od, null, "user-modified", null);
            }
            return plan(f, PlanAction.CONFLICT, om, od, null, "changed-but-user-modified", null);
        }
        PermanentSkip skip = in.skips().get(f.id());
        if (skip != null && skip.version().equals(ChangeDetection.versionKey(f))) {
            return plan(f, PlanAction.SKIP, om, od, SkipReason.REMEMBERED_SKIP, skip.reason().name(), null);
        }
        PathVerdict verdict = policy.pathCheck().apply(f.path());
        if (!verdict.accepted()) {
            return plan(f, PlanAction.SKIP, om, od, SkipReason.INVALID_PATH,
                    verdict.reason().map(Enum::name).orElse("REJECTED"), null);
        }
        String path = verdict.normalized().orElseThrow();
        if (f.size() > policy.maxFileSizeBytes()) {
            return plan(f, PlanAction.SKIP, om, od, SkipReason.TOO_LARGE, "listed-size", null);
        }
        if (!policy.mimeAllowed(f.mimeType())) {
            return plan(f, PlanAction.SKIP, om, od, SkipReason.UNSUPPORTED_TYPE, "declared-type", null);
        }
        if (m == null || d == null) {
            return plan(f, PlanAction.CREATE, om, od, null, d != null ? "document-without-mapping" : null, path);
        }
        if (f.sha256().isPresent() && f.sha256().get().equals(m.contentHash())) {
            return plan(f, PlanAction.METADATA_ONLY, om, od, null, "same-declared-hash", path);
        }
        return plan(f, PlanAction.UPDATE, om, od, null, verifyHash ? "verify-hash" : null, path);
    }

    /** Same version as synced: metadata-only when what the document records has drifted, else unchanged. */
    private FilePlan unchangedOrMetadata(VsrxFile f, Optional<SyncMapping> om, Optional<SilknoteDocument> od,
            DiffInput in) {
        SilknoteDocument d = od.orElseThrow();
        boolean sameOwner = d.patientUuid().equals(in.patientUuid())
                && d.metadata().patientIdHistory().equals(in.patientIdHistory());
        String stored = d.metadata().originalPath();
        if (sameOwner && stored.equals(f.path())) {
            return plan(f, PlanAction.UNCHANGED, om, od, null, null, null);
        }
        PathVerdict verdict = policy.pathCheck().apply(f.path());
        if (!verdict.accepted()) {
            return plan(f, PlanAction.SKIP, om, od, SkipReason.INVALID_PATH,
                    verdict.reason().map(Enum::name).orElse("REJECTED"), null);
        }
        String path = verdict.normalized().orElseThrow();
        if (sameOwner && stored.equals(path)) {
            return plan(f, PlanAction.UNCHANGED, om, od, null, null, null);
        }
        return plan(f, PlanAction.METADATA_ONLY, om, od, null, "metadata-drift", path);
    }

    private FilePlan planVanished(SyncMapping m, SilknoteDocument d) {
        Optional<SilknoteDocument> od = Optional.ofNullable(d);
        if (policy.vanished() == VanishedFilePolicy.DELETE) {
            if (d != null && !d.metadata().untouchedBySilknoteUser()) {
                return new FilePlan(m.vsrxFileId(), PlanAction.CONFLICT, Optional.empty(), Optional.of(m), od,
                        Optional.empty(), Optional.of("vanished-but-user-modified"), Optional.empty());
            }
            return new FilePlan(m.vsrxFileId(), PlanAction.DELETE, Optional.empty(), Optional.of(m), od,
                    Optional.empty(), Optional.of("vanished"), Optional.empty());
        }
        return new FilePlan(m.vsrxFileId(), PlanAction.VANISHED, Optional.empty(), Optional.of(m), od,
                Optional.empty(), Optional.of("vanished"), Optional.empty());
    }

    private static FilePlan plan(VsrxFile f, PlanAction action, Optional<SyncMapping> m,
            Optional<SilknoteDocument> d, SkipReason reason, String detail, String path) {
        return new FilePlan(f.id(), action, Optional.of(f), m, d, Optional.ofNullable(reason),
                Optional.ofNullable(detail), Optional.ofNullable(path));
    }

    private static int capacity(int n) {
        return (int) Math.min(Integer.MAX_VALUE - 8, n / 0.75 + 16);
    }
}
