package com.silknote.sync.testkit.history;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.history.HistoryVsrx.FileState;
import com.silknote.sync.testkit.history.HistoryVsrx.FilesetState;
import com.silknote.sync.testkit.history.HistoryVsrx.ShaClaim;
import com.silknote.sync.testkit.history.Step.MidRunEdit;
import com.silknote.sync.testkit.history.Step.RunKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * Draws the next step of a history from a seed, looking at the world as it is now (which files are live,
 * which documents exist), so every step usually does something. Weighted: VSRX edits are common, runs about
 * one step in four, rare events (a crash, a paused runner, a damaged ledger) rare.
 */
final class HistoryGenerator {
    private static final String[] PATIENTS = {"A", "B", "C", "D"};

    /** The kinds of step, with their weights. */
    enum Kind {
        ADVANCE_SHORT(6), ADVANCE_LONG(1),
        CREATE_FILE(9), EDIT(9), TOUCH(1.5), RENAME(2), DELETE(4), MASS_DELETE(0.7), UNDELETE(2), VANISH(1.2), RELIST(1),
        MOVE(2), CREATE_FILESET(1.2), LINK(1.2), UNLINK(0.6), RELINK(1.5), REBOOK(0.8), REMOVE_FILESET(0.6),
        RESTORE_FILESET(0.4), OUTAGE(0.8), STALE_SHA(1), LYING_SHA(0.6), SKEW(0.6), LOSE_CONTENT(0.8),
        USER_GROUPS(1.5), USER_REMOVES(1), REMOVE_MAPPING(0.7), REMOVE_BLOB_REF(0.3), REMOVE_BLOB(0.3),
        REMOVE_FILESET_RECORD(0.4), REMOVE_VECTORS(0.4),
        RUN_FULL(6), RUN_INCREMENTAL(3), RUN_FILESET(1.5), RUN_DRY(1), REPEATED_RUN(1.2), INCREMENTAL_THEN_FULL(1.5),
        PAUSED_RUNNER(1), CRASH(1), CLEANUP(0.6), SCALE_OUT(0.8), SCALE_OUT_STALLED_COORDINATOR(0.4);

        final double weight;

        Kind(double weight) {
            this.weight = weight;
        }
    }

    private final SplittableRandom rnd;
    private final Set<Kind> kinds;
    private int nextFile = 1;
    private int nextFileset = 1;
    private int opening;

    HistoryGenerator(long seed, Set<Kind> kinds) {
        this.rnd = new SplittableRandom(seed);
        this.kinds = EnumSet.copyOf(kinds);
    }

    /**
     * Every kind but the comma-separated names in {@code excluded}.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    static Set<Kind> kinds(String excluded) {
        Set<Kind> out = EnumSet.allOf(Kind.class);
        for (String name : excluded.split(",")) {
            if (name.isBlank()) {
                continue;
            }
            try {
                out.remove(Kind.valueOf(name.trim().toUpperCase(java.util.Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown step kind " + name.trim() + "; kinds are "
                        + java.util.Arrays.toString(Kind.values()), e);
            }
        }
        return out;
    }

    /** The next step for the world as it is now. */
    Step next(HistoryWorld w) {
        if (opening < 12) {
            return openingStep(w);
        }
        double total = 0;
        for (Kind k : kinds) {
            total += k.weight;
        }
        for (int attempt = 0; attempt < 20; attempt++) {
            double x = rnd.nextDouble() * total;
            Kind chosen = Kind.ADVANCE_SHORT;
            for (Kind k : kinds) {
                x -= k.weight;
                if (x < 0) {
                    chosen = k;
                    break;
                }
            }
            Step s = build(chosen, w);
            if (s != null) {
                return s;
            }
        }
        return new Step.Advance(Duration.ofSeconds(1));
    }

    /** A skew, two or three linked filesets, a handful of files, a first full run. */
    private Step openingStep(HistoryWorld w) {
        int i = opening++;
        if (i == 0) {
            int drift = rnd.nextInt(-10, 11);
            return kinds.contains(Kind.SKEW) ? new Step.ClockDrift(Duration.ofSeconds(drift)) : new Step.Advance(Duration.ZERO);
        }
        if (i <= 2 || (i == 3 && rnd.nextBoolean())) {
            return new Step.CreateFileset(newFilesetId(), Optional.of(PATIENTS[i - 1]));
        }
        if (i < 11) {
            Step s = createFile(w);
            return s != null ? s : new Step.Advance(Duration.ofSeconds(1));
        }
        return new Step.Run(RunKind.FULL, Optional.empty(), Optional.empty());
    }

    private Step build(Kind kind, HistoryWorld w) {
        HistoryVsrx v = w.vsrx();
        return switch (kind) {
            case ADVANCE_SHORT -> new Step.Advance(Duration.ofSeconds(rnd.nextInt(0, 4)));
            case ADVANCE_LONG -> new Step.Advance(Duration.ofMinutes(rnd.nextInt(1, 30)));
            case CREATE_FILE -> createFile(w);
            case EDIT -> pick(files(v, s -> !s.deleted())).map(f -> (Step) new Step.EditFile(f.id(),
                    editContent(f), rnd.nextInt(100) < 85, rnd.nextInt(100) < 80)).orElse(null);
            case TOUCH -> pick(files(v, s -> !s.deleted())).map(f -> (Step) new Step.TouchFile(f.id())).orElse(null);
            case RENAME -> pick(files(v, s -> !HistoryContent.invalidPath(s.path()))).map(f -> (Step) new Step.RenameFile(
                    f.id(), one(HistoryContent.VALID_PATHS), rnd.nextBoolean())).orElse(null);
            case DELETE -> pick(files(v, s -> !s.deleted())).map(f -> (Step) new Step.DeleteFiles(List.of(f.id())))
                    .orElse(null);
            case MASS_DELETE -> massDelete(v);
            case UNDELETE -> pick(files(v, FileState::deleted)).map(f -> (Step) new Step.UndeleteFile(f.id())).orElse(null);
            case VANISH -> pick(files(v, FileState::listed)).map(f -> (Step) new Step.SetFileListed(f.id(), false))
                    .orElse(null);
            case RELIST -> pick(files(v, s -> !s.listed())).map(f -> (Step) new Step.SetFileListed(f.id(), true))
                    .orElse(null);
            case MOVE -> pick(files(v, s -> true)).flatMap(f -> pick(filesets(v, fs -> !fs.id().equals(f.filesetId())))
                    .map(to -> (Step) new Step.MoveFile(f.id(), to.id()))).orElse(null);
            case CREATE_FILESET -> new Step.CreateFileset(newFilesetId(),
                    rnd.nextInt(100) < 75 ? Optional.of(one(List.of(PATIENTS))) : Optional.empty());
            case LINK -> pick(filesets(v, fs -> fs.link().isEmpty()))
                    .map(fs -> (Step) new Step.LinkFileset(fs.id(), one(List.of(PATIENTS)))).orElse(null);
            case UNLINK -> pick(filesets(v, fs -> fs.link().isPresent()))
                    .map(fs -> (Step) new Step.UnlinkFileset(fs.id())).orElse(null);
            case RELINK -> pick(filesets(v, fs -> fs.link().isPresent())).map(fs -> {
                List<String> others = new ArrayList<>();
                for (String p : PATIENTS) {
                    if (!fs.link().get().equals(HistoryWorld.patient(p))) {
                        others.add(p);
                    }
                }
                return (Step) new Step.LinkFileset(fs.id(), one(others));
            }).orElse(null);
            case REBOOK -> pick(filesets(v, FilesetState::listed)).map(fs -> (Step) new Step.Rebook(fs.id(),
                    newFilesetId())).orElse(null);
            case REMOVE_FILESET -> pick(filesets(v, FilesetState::listed))
                    .map(fs -> (Step) new Step.SetFilesetListed(fs.id(), false)).orElse(null);
            case RESTORE_FILESET -> pick(filesets(v, fs -> !fs.listed()))
                    .map(fs -> (Step) new Step.SetFilesetListed(fs.id(), true)).orElse(null);
            case OUTAGE -> {
                Optional<FilesetState> down = pick(filesets(v, FilesetState::outage));
                if (down.isPresent() && rnd.nextInt(100) < 70) {
                    yield new Step.Outage(down.get().id(), false);
                }
                yield pick(filesets(v, fs -> !fs.outage())).map(fs -> (Step) new Step.Outage(fs.id(), true)).orElse(null);
            }
            case STALE_SHA -> pick(files(v, s -> !s.deleted())).map(f -> (Step) new Step.StaleShaEdit(f.id(),
                    editContent(f))).orElse(null);
            case LYING_SHA -> pick(files(v, s -> !s.deleted())).map(f -> (Step) new Step.LyingSha(f.id(),
                    one(HistoryContent.NORMAL))).orElse(null);
            case SKEW -> new Step.ClockDrift(Duration.ofSeconds(rnd.nextInt(-50, 51)));
            case LOSE_CONTENT -> {
                // mostly gives lost bytes back (a repaired store), else loses those of a live file
                Optional<FileState> lost = pick(files(v, f -> v.contentLost(f.id())));
                if (lost.isPresent() && rnd.nextInt(100) < 60) {
                    yield new Step.LoseContent(lost.get().id(), false);
                }
                yield pick(files(v, f -> !f.deleted() && !v.contentLost(f.id())))
                        .map(f -> (Step) new Step.LoseContent(f.id(), true)).orElse(null);
            }
            case USER_GROUPS -> pick(withDocument(w)).map(f -> (Step) new Step.UserGroupsDocument(f)).orElse(null);
            case USER_REMOVES -> pick(withDocument(w)).map(f -> (Step) new Step.UserRemovesDocument(f)).orElse(null);
            case REMOVE_MAPPING -> pick(withDocument(w)).map(f -> (Step) new Step.RemoveMappingRow(f)).orElse(null);
            case REMOVE_BLOB_REF -> pick(usedContents(w)).map(c -> (Step) new Step.RemoveBlobRefRow(c)).orElse(null);
            case REMOVE_BLOB -> pick(usedContents(w)).map(c -> (Step) new Step.RemoveBlob(c)).orElse(null);
            case REMOVE_FILESET_RECORD -> pick(filesets(v, fs -> w.stores().documents().findFileset(fs.id()).isPresent()))
                    .map(fs -> (Step) new Step.RemoveFilesetRecord(fs.id())).orElse(null);
            case REMOVE_VECTORS -> pick(withDocument(w)).map(f -> (Step) new Step.RemoveVectors(f)).orElse(null);
            case RUN_FULL -> new Step.Run(RunKind.FULL, Optional.empty(), midRunEdit(w));
            case RUN_INCREMENTAL -> new Step.Run(RunKind.INCREMENTAL, Optional.empty(), midRunEdit(w));
            case RUN_FILESET -> pick(filesets(v, fs -> true)).map(fs -> (Step) new Step.Run(RunKind.FILESET,
                    Optional.of(fs.id()), midRunEdit(w))).orElse(null);
            case RUN_DRY -> new Step.Run(RunKind.DRY, Optional.empty(), Optional.empty());
            case REPEATED_RUN -> new Step.RepeatedFullRun();
            case INCREMENTAL_THEN_FULL -> new Step.IncrementalThenFull(midRunEdit(w));
            case PAUSED_RUNNER -> new Step.PausedRunner(rnd.nextInt(100) < 40 ? 0 : rnd.nextInt(1, 160),
                    duringPause(w), rnd.nextBoolean());
            case CRASH -> new Step.Crash(rnd.nextInt(1, 16), rnd.nextBoolean());
            case CLEANUP -> new Step.Cleanup();
            case SCALE_OUT -> new Step.ScaleOut(rnd.nextInt(100) < 30 ? 0 : rnd.nextInt(1, 120), duringPause(w),
                    rnd.nextBoolean() ? Optional.of(one(HistoryContent.NORMAL)) : Optional.empty());
            case SCALE_OUT_STALLED_COORDINATOR -> new Step.ScaleOutCoordinatorStalls(rnd.nextInt(1, 120),
                    duringPause(w));
        };
    }

    private Step createFile(HistoryWorld w) {
        HistoryVsrx v = w.vsrx();
        List<FilesetState> listed = filesets(v, FilesetState::listed);
        Optional<FilesetState> target = rnd.nextInt(100) < 90 && !listed.isEmpty() ? pick(listed)
                : pick(filesets(v, fs -> true));
        if (target.isEmpty()) {
            return null;
        }
        VsrxFileId id = VsrxFileId.of(String.format("f-%03d", nextFile++));
        int content = one(HistoryContent.NORMAL);
        String mime = HistoryContent.content(content).mime();
        String path = one(HistoryContent.VALID_PATHS);
        OptionalLong declared = OptionalLong.empty();
        if (rnd.nextInt(100) < 12) {
            switch (rnd.nextInt(5)) {
                case 0 -> path = one(HistoryContent.INVALID_PATHS);
                case 1 -> content = HistoryContent.OVERSIZED;
                case 2 -> {
                    content = textContent();
                    mime = "application/pdf";
                }
                case 3 -> {
                    content = textContent();
                    mime = HistoryContent.UNSUPPORTED_MIME;
                }
                default -> declared = OptionalLong.of(HistoryContent.content(content).size() + 7);
            }
        }
        ShaClaim sha = rnd.nextInt(100) < 15 ? ShaClaim.TRUE : ShaClaim.NONE;
        return new Step.CreateFile(id, target.get().id(), path, mime, content, rnd.nextInt(100) >= 20, sha, declared);
    }

    private int textContent() {
        List<Integer> texts = HistoryContent.NORMAL.stream()
                .filter(i -> HistoryContent.content(i).mime().equals("text/plain")).toList();
        return one(texts);
    }

    private int editContent(FileState f) {
        if (rnd.nextInt(100) < 4) {
            return HistoryContent.OVERSIZED;
        }
        List<Integer> same = HistoryContent.NORMAL.stream()
                .filter(i -> HistoryContent.content(i).mime().equals(f.declaredMime())).toList();
        return rnd.nextInt(100) < 85 && !same.isEmpty() ? one(same) : one(HistoryContent.NORMAL);
    }

    private Step massDelete(HistoryVsrx v) {
        Optional<FilesetState> fs = pick(filesets(v, FilesetState::listed));
        if (fs.isEmpty()) {
            return null;
        }
        List<VsrxFileId> live = files(v, s -> !s.deleted() && s.filesetId().equals(fs.get().id())).stream()
                .map(FileState::id).toList();
        if (live.size() < 3) {
            return null;
        }
        List<VsrxFileId> chosen = new ArrayList<>(live);
        while (chosen.size() > 3 && rnd.nextInt(100) < 30) {
            chosen.remove(rnd.nextInt(chosen.size()));
        }
        return new Step.DeleteFiles(chosen);
    }

    private Optional<MidRunEdit> midRunEdit(HistoryWorld w) {
        HistoryVsrx v = w.vsrx();
        if (rnd.nextInt(100) >= 30) {
            return Optional.empty();
        }
        int kind = rnd.nextInt(100);
        if (kind < 30) {
            Step damage = silknoteDamage(w);
            if (damage != null) {
                return Optional.of(new MidRunEdit(rnd.nextInt(1, 4), Optional.empty(), 0, true, Optional.of(damage)));
            }
        } else if (kind < 40 && kinds.contains(Kind.SKEW)) {
            // VSRX's clock drifts while the run is under way (after its watermark was taken)
            return Optional.of(new MidRunEdit(rnd.nextInt(1, 4), Optional.empty(), 0, true,
                    Optional.of(new Step.ClockDrift(Duration.ofSeconds(rnd.nextInt(-50, 51))))));
        } else if (kind < 50 && kinds.contains(Kind.DELETE)) {
            // VSRX deletes or drops a file after the run listed it: the file being downloaded, or any live one
            // (downloaded already, to come, or not to be downloaded at all)
            Optional<FileState> other = rnd.nextBoolean() ? Optional.empty() : pick(files(v, s -> !s.deleted()));
            boolean deleted = rnd.nextInt(100) < 70;
            Step gone = other.<Step>map(f -> deleted ? new Step.DeleteFiles(List.of(f.id()))
                    : new Step.SetFileListed(f.id(), false)).orElse(new Step.GoneWhileDownloading(deleted));
            return Optional.of(new MidRunEdit(rnd.nextInt(1, 4), Optional.empty(), 0, true, Optional.of(gone)));
        }
        Optional<VsrxFileId> target = rnd.nextInt(100) < 60 ? Optional.empty()
                : pick(files(v, s -> !s.deleted())).map(FileState::id);
        return Optional.of(new MidRunEdit(rnd.nextInt(1, 4), target, one(HistoryContent.NORMAL), rnd.nextBoolean()));
    }

    /** A change behind the engine's back, made while a run is under way. */
    private Step silknoteDamage(HistoryWorld w) {
        Kind kind = List.of(Kind.USER_GROUPS, Kind.USER_REMOVES, Kind.REMOVE_MAPPING, Kind.REMOVE_BLOB_REF,
                Kind.REMOVE_BLOB, Kind.REMOVE_FILESET_RECORD, Kind.REMOVE_VECTORS).get(rnd.nextInt(7));
        return kinds.contains(kind) ? build(kind, w) : null;
    }

    private List<Step> duringPause(HistoryWorld w) {
        List<Step> steps = new ArrayList<>();
        int n = rnd.nextInt(0, 3);
        for (int i = 0; i < n; i++) {
            Step s = switch (rnd.nextInt(3)) {
                case 0 -> createFile(w);
                case 1 -> pick(files(w.vsrx(), f -> !f.deleted())).map(f -> (Step) new Step.DeleteFiles(List.of(f.id())))
                        .orElse(null);
                default -> pick(files(w.vsrx(), f -> !f.deleted())).map(f -> (Step) new Step.EditFile(f.id(),
                        editContent(f), true, true)).orElse(null);
            };
            if (s != null) {
                steps.add(s);
            }
        }
        return steps;
    }

    private FilesetId newFilesetId() {
        return FilesetId.of(String.format("fs-%02d", nextFileset++));
    }

    private static List<FileState> files(HistoryVsrx v, Predicate<FileState> filter) {
        return v.fileIds().stream().map(v::file).filter(filter).toList();
    }

    private static List<FilesetState> filesets(HistoryVsrx v, Predicate<FilesetState> filter) {
        return v.filesetIds().stream().map(v::fileset).filter(filter).toList();
    }

    private static List<VsrxFileId> withDocument(HistoryWorld w) {
        return w.vsrx().fileIds().stream()
                .filter(f -> w.stores().documents().findDocumentByClientFileId(f).isPresent()).toList();
    }

    private static List<Integer> usedContents(HistoryWorld w) {
        List<Integer> out = new ArrayList<>();
        for (HistoryContent.Content c : HistoryContent.all()) {
            if (w.stores().documents().findBlobRef(c.hash()).isPresent() || w.stores().blobs().stat(c.hash()).isPresent()) {
                out.add(c.index());
            }
        }
        return out;
    }

    private <T> Optional<T> pick(List<T> from) {
        return from.isEmpty() ? Optional.empty() : Optional.of(from.get(rnd.nextInt(from.size())));
    }

    private <T> T one(List<T> from) {
        return from.get(rnd.nextInt(from.size()));
    }
}
