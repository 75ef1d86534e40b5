package com.silknote.sync.testkit.history;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.history.HistoryVsrx.ShaClaim;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One step of a history: a change in VSRX, a change in Silknote behind the engine's back, the host's clock
 * moving, or one or more sync runs followed by the checks. Steps are plain data naming files and filesets by
 * id, so a history replays exactly and shrinks by dropping steps: a step whose file or fileset does not exist
 * (its creation was dropped) or is not in the state it needs does nothing.
 */
public sealed interface Step {

    /** Applies the step to the world (and, for runs, checks the invariants). */
    void apply(HistoryWorld w);

    /** Smaller variants of this step, tried when a failing history is shrunk. */
    default List<Step> simpler() {
        return List.of();
    }

    // ------------------------------------------------------------------ VSRX

    /** VSRX creates a fileset, linked to a patient ({@code A}..) or not linked yet. */
    record CreateFileset(FilesetId id, Optional<String> patient) implements Step {
        @Override public void apply(HistoryWorld w) { w.createFileset(id, patient); }
        @Override public String toString() { return "vsrx: create fileset " + id + patient.map(p -> " linked to patient " + p).orElse(" (not linked)"); }
    }

    /** VSRX links a fileset to a patient, or re-links it to another one. */
    record LinkFileset(FilesetId id, String patient) implements Step {
        @Override public void apply(HistoryWorld w) { w.linkFileset(id, Optional.of(patient)); }
        @Override public String toString() { return "vsrx: link fileset " + id + " to patient " + patient; }
    }

    /** VSRX removes a fileset's link to its Silknote patient. */
    record UnlinkFileset(FilesetId id) implements Step {
        @Override public void apply(HistoryWorld w) { w.linkFileset(id, Optional.empty()); }
        @Override public String toString() { return "vsrx: unlink fileset " + id; }
    }

    /** VSRX re-books the patient of {@code from}: a new fileset {@code to} with the patient-id history. */
    record Rebook(FilesetId from, FilesetId to) implements Step {
        @Override public void apply(HistoryWorld w) { w.rebook(from, to); }
        @Override public String toString() { return "vsrx: re-book patient of " + from + " as new fileset " + to; }
    }

    /** VSRX stops listing a fileset ({@code listed == false}) or lists it again. */
    record SetFilesetListed(FilesetId id, boolean listed) implements Step {
        @Override public void apply(HistoryWorld w) { w.setFilesetListed(id, listed); }
        @Override public String toString() { return "vsrx: " + (listed ? "list fileset " + id + " again" : "remove fileset " + id + " from the listing"); }
    }

    /** A fileset's files cannot be listed or downloaded (503) until the outage ends. */
    record Outage(FilesetId id, boolean on) implements Step {
        @Override public void apply(HistoryWorld w) { w.outage(id, on); }
        @Override public String toString() { return "vsrx: outage of fileset " + id + (on ? " starts" : " ends"); }
    }

    /**
     * VSRX creates a file. A file may be bad on purpose: an invalid path, a declared MIME type outside the
     * allow-list or not matching the bytes, an oversized content, a declared size that lies.
     */
    record CreateFile(VsrxFileId id, FilesetId fileset, String path, String mime, int content, boolean etag,
            ShaClaim sha, OptionalLong declaredSize) implements Step {
        @Override public void apply(HistoryWorld w) { w.createFile(this); }
        @Override public String toString() {
            return "vsrx: create file " + id + " in " + fileset + " path=" + path + " mime=" + mime + " content="
                    + HistoryContent.content(content) + (etag ? "" : " without etag")
                    + (sha == ShaClaim.TRUE ? " listing-sha256" : "")
                    + (declaredSize.isPresent() ? " declared-size=" + declaredSize.getAsLong() : "");
        }
    }

    /** VSRX replaces a file's content, with or without a new ETag and a new modification time. */
    record EditFile(VsrxFileId id, int content, boolean newEtag, boolean newMtime) implements Step {
        @Override public void apply(HistoryWorld w) { w.editFile(id, content, newEtag, newMtime); }
        @Override public String toString() {
            return "vsrx: edit file " + id + " to " + HistoryContent.content(content) + (newEtag ? "" : " keeping its etag")
                    + (newMtime ? "" : " keeping its mtime");
        }
    }

    /** VSRX touches a file: a new ETag and modification time, the same bytes. */
    record TouchFile(VsrxFileId id) implements Step {
        @Override public void apply(HistoryWorld w) { w.touchFile(id); }
        @Override public String toString() { return "vsrx: touch file " + id + " (new etag and mtime, same bytes)"; }
    }

    /** The listing goes on declaring a file's current SHA-256 while its content is edited: a stale claim. */
    record StaleShaEdit(VsrxFileId id, int content) implements Step {
        @Override public void apply(HistoryWorld w) { w.staleShaEdit(id, content); }
        @Override public String toString() { return "vsrx: edit file " + id + " to " + HistoryContent.content(content) + " while the listing keeps claiming the old sha256"; }
    }

    /** The listing declares the hash of other content as a file's SHA-256: a lie. */
    record LyingSha(VsrxFileId id, int claimed) implements Step {
        @Override public void apply(HistoryWorld w) { w.lyingSha(id, claimed); }
        @Override public String toString() { return "vsrx: listing of file " + id + " claims sha256 of " + HistoryContent.content(claimed); }
    }

    /** VSRX renames a file inside {@code notes/}; content and ETag stay. */
    record RenameFile(VsrxFileId id, String path, boolean newMtime) implements Step {
        @Override public void apply(HistoryWorld w) { w.renameFile(id, path, newMtime); }
        @Override public String toString() { return "vsrx: rename file " + id + " to " + path + (newMtime ? "" : " keeping its mtime"); }
    }

    /** VSRX marks files deleted (several at once may trip the mass-delete guard). */
    record DeleteFiles(List<VsrxFileId> ids) implements Step {
        @Override public void apply(HistoryWorld w) { w.deleteFiles(ids); }
        @Override public List<Step> simpler() {
            List<Step> out = new java.util.ArrayList<>();
            for (int i = 0; ids.size() > 1 && i < ids.size(); i++) {
                List<VsrxFileId> fewer = new java.util.ArrayList<>(ids);
                fewer.remove(i);
                out.add(new DeleteFiles(List.copyOf(fewer)));
            }
            return out;
        }
        @Override public String toString() { return "vsrx: mark deleted " + ids; }
    }

    /** VSRX brings a deleted file back (a new version). */
    record UndeleteFile(VsrxFileId id) implements Step {
        @Override public void apply(HistoryWorld w) { w.undeleteFile(id); }
        @Override public String toString() { return "vsrx: un-delete file " + id; }
    }

    /** A file drops out of the listing without being marked deleted ({@code false}), or comes back. */
    record SetFileListed(VsrxFileId id, boolean listed) implements Step {
        @Override public void apply(HistoryWorld w) { w.setFileListed(id, listed); }
        @Override public String toString() { return "vsrx: file " + id + (listed ? " listed again" : " vanishes from the listing"); }
    }

    /**
     * Only as a {@link MidRunEdit}'s {@code other}: the file being downloaded is marked deleted ({@code deleted})
     * or drops out of the listing before its bytes are captured, so VSRX no longer serves it (DESIGN rule 3: the
     * run skips it, the next run sees it as it is). On its own it changes nothing.
     */
    record GoneWhileDownloading(boolean deleted) implements Step {
        @Override public void apply(HistoryWorld w) { }
        @Override public String toString() {
            return "vsrx: the downloaded file " + (deleted ? "is marked deleted" : "vanishes from the listing");
        }
    }

    /**
     * VSRX's store loses a file's bytes while its index still lists it ({@code lost}), or has them again: its
     * downloads answer {@code file_not_found} meanwhile. The engine skips it ({@code GONE},
     * {@code listed-but-not-served}) and raises {@code FILE_NOT_SERVED} each run it tries to download it.
     */
    record LoseContent(VsrxFileId id, boolean lost) implements Step {
        @Override public void apply(HistoryWorld w) { w.loseContent(id, lost); }
        @Override public String toString() {
            return "vsrx: the store " + (lost ? "loses the bytes of " : "has again the bytes of ") + "file " + id;
        }
    }

    /** VSRX moves a file id to another fileset (another patient). */
    record MoveFile(VsrxFileId id, FilesetId to) implements Step {
        @Override public void apply(HistoryWorld w) { w.moveFile(id, to); }
        @Override public String toString() { return "vsrx: move file " + id + " to fileset " + to; }
    }

    /**
     * VSRX's clock moves by {@code by} against the host's, forwards or backwards (its skew changes). Without
     * server time the skew stays within a minute of the host's (the watermark then comes from the host's clock
     * plus the overlap); a step back is always less than the watermark overlap.
     */
    record ClockDrift(Duration by) implements Step {
        @Override public void apply(HistoryWorld w) { w.drift(by); }
        @Override public String toString() { return "vsrx: clock drifts " + (by.isNegative() ? "" : "+") + by.toSeconds() + "s"; }
    }

    // ------------------------------------------------------------------ host

    /** The host's clock moves on. */
    record Advance(Duration by) implements Step {
        @Override public void apply(HistoryWorld w) { w.clock().advance(by); }
        @Override public String toString() { return "clock +" + (by.toSeconds() >= 60 ? by.toMinutes() + "min" : by.toSeconds() + "s"); }
    }

    // ------------------------------------------------------------------ Silknote, behind the engine's back

    /** A Silknote user groups the document of a file ({@code groupingStatus} no longer {@code ungrouped}). */
    record UserGroupsDocument(VsrxFileId file) implements Step {
        @Override public void apply(HistoryWorld w) { w.userGroups(file); }
        @Override public String toString() { return "silknote: a user groups the document of " + file; }
    }

    /** A Silknote user deletes the document row of a file; its mapping stays. */
    record UserRemovesDocument(VsrxFileId file) implements Step {
        @Override public void apply(HistoryWorld w) { w.userRemovesDocument(file); }
        @Override public String toString() { return "silknote: a user deletes the document of " + file; }
    }

    /** The mapping row of a file is removed (a restore, a manual fix); the document stays. */
    record RemoveMappingRow(VsrxFileId file) implements Step {
        @Override public void apply(HistoryWorld w) { w.removeMappingRow(file); }
        @Override public String toString() { return "silknote: the mapping row of " + file + " is removed"; }
    }

    /** The reference-count row of a content's blob is removed. */
    record RemoveBlobRefRow(int content) implements Step {
        @Override public void apply(HistoryWorld w) { w.removeBlobRefRow(content); }
        @Override public String toString() { return "silknote: the blob-ref row of " + HistoryContent.content(content) + " is removed"; }
    }

    /** A content's blob is removed from the blob store. */
    record RemoveBlob(int content) implements Step {
        @Override public void apply(HistoryWorld w) { w.removeBlob(content); }
        @Override public String toString() { return "silknote: the blob of " + HistoryContent.content(content) + " is removed from the blob store"; }
    }

    /** Silknote's record of a fileset is removed. */
    record RemoveFilesetRecord(FilesetId fileset) implements Step {
        @Override public void apply(HistoryWorld w) { w.removeFilesetRecord(fileset); }
        @Override public String toString() { return "silknote: the fileset record of " + fileset + " is removed"; }
    }

    /** The orphan cleanup runs past the grace period (rule 14). */
    record Cleanup() implements Step {
        @Override public void apply(HistoryWorld w) { w.orphanCleanup(); }
        @Override public String toString() { return "orphan cleanup past the grace period"; }
    }

    /** The vector entries of a file's document are removed. */
    record RemoveVectors(VsrxFileId file) implements Step {
        @Override public void apply(HistoryWorld w) { w.removeVectors(file); }
        @Override public String toString() { return "silknote: the vector entries of the document of " + file + " are removed"; }
    }

    // ------------------------------------------------------------------ runs

    /** What kind of run. */
    enum RunKind { FULL, INCREMENTAL, FILESET, DRY }

    /**
     * A change while a run is between listing and download: on the run's {@code download}-th content download,
     * either {@code other} happens (a Silknote step behind the engine's back: a user edit, a removed row, a
     * removed blob; or VSRX's clock drifting), or {@code target} (or, when empty, the file being downloaded)
     * gets {@code content} in VSRX, before the bytes to serve are captured or after.
     */
    record MidRunEdit(int download, Optional<VsrxFileId> target, int content, boolean beforeCapture,
            Optional<Step> other) {
        MidRunEdit(int download, Optional<VsrxFileId> target, int content, boolean beforeCapture) {
            this(download, target, content, beforeCapture, Optional.empty());
        }

        @Override public String toString() {
            return other.map(s -> "on download " + download + " " + s).orElseGet(() -> "on download " + download
                    + " edit " + target.map(VsrxFileId::toString).orElse("the downloaded file") + " to "
                    + HistoryContent.content(content) + (beforeCapture ? " before" : " after") + " capture");
        }
    }

    /** One run, then the checks. */
    record Run(RunKind kind, Optional<FilesetId> only, Optional<MidRunEdit> edit) implements Step {
        @Override public void apply(HistoryWorld w) { w.run(this); }
        @Override public List<Step> simpler() {
            return edit.isEmpty() ? List.of() : List.of(new Run(kind, only, Optional.empty()));
        }
        @Override public String toString() {
            return "run " + kind.name().toLowerCase(java.util.Locale.ROOT) + only.map(f -> " " + f).orElse("")
                    + edit.map(e -> " [" + e + "]").orElse("");
        }
    }

    /** A full run, then at once another full run that must download and write nothing (invariant 6). */
    record RepeatedFullRun() implements Step {
        @Override public void apply(HistoryWorld w) { w.repeatedFullRun(); }
        @Override public String toString() { return "run full, then full again at once"; }
    }

    /** Two incremental runs (the first maybe with an edit during it), then a full run that must find nothing (invariant 8). */
    record IncrementalThenFull(Optional<MidRunEdit> edit) implements Step {
        @Override public void apply(HistoryWorld w) { w.incrementalThenFull(edit); }
        @Override public List<Step> simpler() {
            return edit.isEmpty() ? List.of() : List.of(new IncrementalThenFull(Optional.empty()));
        }
        @Override public String toString() { return "run incremental" + edit.map(e -> " [" + e + "]").orElse("") + ", incremental, then full"; }
    }

    /** For shrinking: {@code steps} without one of them, once for each. */
    private static List<List<Step>> oneFewer(List<Step> steps) {
        List<List<Step>> out = new java.util.ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            List<Step> fewer = new java.util.ArrayList<>(steps);
            fewer.remove(i);
            out.add(List.copyOf(fewer));
        }
        return out;
    }

    /**
     * Runner A pauses before its {@code pauseAt}-th call to a Silknote port (documents, blobs, vectors: any
     * read or write, the fence and the collector's steps included), or before its first commit when
     * {@code pauseAt} is 0; runner B is refused while A's lease holds; VSRX changes; A's lease expires; B runs;
     * A resumes (invariant 5).
     */
    record PausedRunner(int pauseAt, List<Step> duringPause, boolean moreRuns) implements Step {
        PausedRunner(List<Step> duringPause) {
            this(0, duringPause, false);
        }

        @Override public void apply(HistoryWorld w) { w.pausedRunner(pauseAt, duringPause, moreRuns); }
        @Override public List<Step> simpler() {
            List<Step> out = new java.util.ArrayList<>();
            if (moreRuns) {
                out.add(new PausedRunner(pauseAt, duringPause, false));
            }
            oneFewer(duringPause).forEach(fewer -> out.add(new PausedRunner(pauseAt, fewer, moreRuns)));
            return out;
        }
        @Override public String toString() {
            return "runner A pauses before " + (pauseAt == 0 ? "its first commit" : "its Silknote port call " + pauseAt)
                    + (duringPause.isEmpty() ? "" : ", meanwhile " + duringPause) + ", A's lease expires, runner B runs"
                    + (moreRuns ? ", a full run C runs, A resumes, a full run D runs" : ", A resumes");
        }
    }

    /**
     * A scale-out full run: coordinator C and worker W share its filesets through claims; W pauses before its
     * {@code pauseAt}-th Silknote port call (its first commit at 0), VSRX changes (and, with {@code editWorked},
     * the file W downloaded last gets that content), every claim held expires, C takes over and completes the
     * run, W resumes; a full run follows (invariant 5).
     */
    record ScaleOut(int pauseAt, List<Step> duringPause, Optional<Integer> editWorked) implements Step {
        @Override public void apply(HistoryWorld w) { w.scaleOut(pauseAt, duringPause, editWorked); }
        @Override public List<Step> simpler() {
            List<Step> out = new java.util.ArrayList<>();
            if (editWorked.isPresent()) {
                out.add(new ScaleOut(pauseAt, duringPause, Optional.empty()));
            }
            oneFewer(duringPause).forEach(fewer -> out.add(new ScaleOut(pauseAt, fewer, editWorked)));
            return out;
        }
        @Override public String toString() {
            return "scale-out run: coordinator C and worker W, W pauses before "
                    + (pauseAt == 0 ? "its first commit" : "its Silknote port call " + pauseAt)
                    + (duringPause.isEmpty() ? "" : ", meanwhile " + duringPause)
                    + editWorked.map(c -> ", vsrx: the file W downloaded last is edited to "
                            + HistoryContent.content(c)).orElse("")
                    + ", the claims expire, C completes the run, W resumes, run full";
        }
    }

    /**
     * A scale-out full run whose coordinator C stalls before its {@code pauseAt}-th port call while worker W works;
     * VSRX changes, C's lease and the claims expire, W stops, a full run D takes over, C resumes; a full run
     * follows (invariant 5).
     */
    record ScaleOutCoordinatorStalls(int pauseAt, List<Step> duringPause) implements Step {
        @Override public void apply(HistoryWorld w) { w.scaleOutCoordinatorStalls(pauseAt, duringPause); }
        @Override public List<Step> simpler() {
            List<Step> out = new java.util.ArrayList<>();
            oneFewer(duringPause).forEach(fewer -> out.add(new ScaleOutCoordinatorStalls(pauseAt, fewer)));
            return out;
        }
        @Override public String toString() {
            return "scale-out run: coordinator C and worker W, C stalls before its port call " + pauseAt
                    + (duringPause.isEmpty() ? "" : ", meanwhile " + duringPause)
                    + ", C's lease and the claims expire, W stops, a full run D runs, C resumes, run full";
        }
    }

    /** A full run crashes ({@link Error} from a port) before or after its {@code effect}-th write; the lease expires; a full run recovers. */
    record Crash(int effect, boolean afterEffect) implements Step {
        @Override public void apply(HistoryWorld w) { w.crash(effect, afterEffect); }
        @Override public String toString() { return "run full crashing " + (afterEffect ? "after" : "before") + " write " + effect + ", lease expires, run full"; }
    }
}
