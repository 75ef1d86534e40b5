package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The persisted resume state, exactly as the design notes show it:
 * <pre>{@code
 * {"lastCompleteSync": "2024-01-20T10:00:00Z",
 *  "partialSyncState": {"processedFilesets": ["uuid1","uuid2"], "failedFilesets": ["uuid3"],
 *                       "resumeFromFileset": "uuid3"}}
 * }</pre>
 * {@code lastCompleteSync} moves only when a run finished every fileset.
 *
 * <p>Filesets are processed in id order, so an unfinished run's state stays small however many filesets it
 * committed: every fileset before {@code resumeFromFileset} (in {@link FilesetId} order) was committed or is
 * listed in {@code failedFilesets}; {@code processedFilesets} lists the committed ones from
 * {@code resumeFromFileset} on (those that finished ahead of slower ones). {@link PartialSyncState#processed}
 * reads it so; a state that lists every committed fileset reads the same.
 */
public record SyncState(Optional<Instant> lastCompleteSync, PartialSyncState partialSyncState) {

    public SyncState {
        requireNonNull(lastCompleteSync, "lastCompleteSync");
        requireNonNull(partialSyncState, "partialSyncState");
    }

    public static SyncState initial() {
        return new SyncState(Optional.empty(), PartialSyncState.empty());
    }

    /**
     * Progress of the current or last unfinished run.
     *
     * @param processedFilesets filesets committed by the unfinished run from {@code resumeFromFileset} on
     *                          (earlier ones are implied, see {@link #processed})
     * @param failedFilesets    filesets that failed in it (or in the run before it, not attempted again yet)
     * @param resumeFromFileset the first fileset, in id order, the unfinished run had not finished
     */
    public record PartialSyncState(List<FilesetId> processedFilesets, List<FilesetId> failedFilesets,
            Optional<FilesetId> resumeFromFileset) {
        public PartialSyncState {
            processedFilesets = List.copyOf(requireNonNull(processedFilesets, "processedFilesets"));
            failedFilesets = List.copyOf(requireNonNull(failedFilesets, "failedFilesets"));
            requireNonNull(resumeFromFileset, "resumeFromFileset");
        }

        public static PartialSyncState empty() {
            return new PartialSyncState(List.of(), List.of(), Optional.empty());
        }

        public boolean isEmpty() {
            return processedFilesets.isEmpty() && failedFilesets.isEmpty() && resumeFromFileset.isEmpty();
        }

        /**
         * {@code true} when the unfinished run committed {@code id}, so a run resuming it skips it: it is listed
         * in {@code processedFilesets}, or it comes before {@code resumeFromFileset} and did not fail.
         *
         * @throws NullPointerException when id is null
         */
        public boolean processed(FilesetId id) {
            requireNonNull(id, "id");
            if (failedFilesets.contains(id)) {
                return false;
            }
            return processedFilesets.contains(id)
                    || resumeFromFileset.isPresent() && id.compareTo(resumeFromFileset.get()) < 0;
        }
    }

    /** The state as the JSON document of the design notes (null for absent values). */
    public String toJson() {
        StringBuilder sb = new StringBuilder(128);
        sb.append("{\"lastCompleteSync\":");
        sb.append(lastCompleteSync.map(i -> quote(i.toString())).orElse("null"));
        sb.append(",\"partialSyncState\":{\"processedFilesets\":");
        array(sb, partialSyncState.processedFilesets());
        sb.append(",\"failedFilesets\":");
        array(sb, partialSyncState.failedFilesets());
        sb.append(",\"resumeFromFileset\":");
        sb.append(partialSyncState.resumeFromFileset().map(f -> quote(f.value())).orElse("null"));
        sb.append("}}");
        return sb.toString();
    }

    private static void array(StringBuilder sb, List<FilesetId> ids) {
        sb.append('[');
        for (int i = 0; i < ids.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(quote(ids.get(i).value()));
        }
        sb.append(']');
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
