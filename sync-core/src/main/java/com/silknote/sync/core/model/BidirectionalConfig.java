package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * The per-deployment settings of the Silknote → VSRX direction (docs/bidirectional.md §1). With the default
 * direction ({@link SyncDirection#VSRX_TO_SILKNOTE}) none of the other settings has any effect.
 *
 * @param direction        one-way (default) or both ways
 * @param creates          Silknote-created documents of linked patients become new VSRX files (default on)
 * @param contentUpdates   new content of a linked document replaces the VSRX file's content (default on)
 * @param deletes          a document removed in Silknote marks its VSRX file deleted, under the mass-delete
 *                         guard (default off)
 * @param groupedDocuments also push documents a Silknote user grouped (default off)
 * @param exportFolder     folder inside {@code notes/} for Silknote-created documents, ending with {@code /}
 *                         (default {@value #DEFAULT_EXPORT_FOLDER})
 * @param conflictStrategy what to do when both sides changed (default {@link ConflictStrategy#REPORT})
 */
public record BidirectionalConfig(SyncDirection direction, boolean creates, boolean contentUpdates,
        boolean deletes, boolean groupedDocuments, String exportFolder, ConflictStrategy conflictStrategy) {

    public static final String DEFAULT_EXPORT_FOLDER = "notes/silknote/";
    /** Segments of plain letters, digits, space, dot, dash and underscore under {@code notes/}. */
    private static final Pattern FOLDER = Pattern.compile("notes/([A-Za-z0-9 _.-]{1,64}/){1,8}");

    /**
     * @throws IllegalArgumentException when the export folder is not {@code notes/} followed by 1..8 plain
     *                                  segments, each ending with {@code /}
     */
    public BidirectionalConfig {
        requireNonNull(direction, "direction");
        requireNonNull(exportFolder, "exportFolder");
        requireNonNull(conflictStrategy, "conflictStrategy");
        if (!FOLDER.matcher(exportFolder).matches() || exportFolder.contains("/./") || exportFolder.contains("/../")
                || exportFolder.contains("/ ") || exportFolder.contains(" /")) {
            throw new IllegalArgumentException("exportFolder must be a folder inside notes/ ending with '/', "
                    + "made of letters, digits, space, '.', '-' and '_' (e.g. " + DEFAULT_EXPORT_FOLDER + ")");
        }
    }

    /** One-way; the other settings at their defaults. */
    public static BidirectionalConfig defaults() {
        return new BidirectionalConfig(SyncDirection.VSRX_TO_SILKNOTE, true, true, false, false,
                DEFAULT_EXPORT_FOLDER, ConflictStrategy.REPORT);
    }

    public static Builder builder() {
        return new Builder(defaults());
    }

    public Builder newBuilder() {
        return new Builder(this);
    }

    /** {@code true} when the Silknote → VSRX direction is on. */
    public boolean enabled() {
        return direction == SyncDirection.BIDIRECTIONAL;
    }

    /** Builds a {@link BidirectionalConfig}, starting from the defaults (or an existing one). */
    public static final class Builder {
        private SyncDirection direction;
        private boolean creates;
        private boolean contentUpdates;
        private boolean deletes;
        private boolean groupedDocuments;
        private String exportFolder;
        private ConflictStrategy conflictStrategy;

        private Builder(BidirectionalConfig c) {
            direction = c.direction;
            creates = c.creates;
            contentUpdates = c.contentUpdates;
            deletes = c.deletes;
            groupedDocuments = c.groupedDocuments;
            exportFolder = c.exportFolder;
            conflictStrategy = c.conflictStrategy;
        }

        public Builder direction(SyncDirection v) { direction = requireNonNull(v, "direction"); return this; }
        public Builder creates(boolean v) { creates = v; return this; }
        public Builder contentUpdates(boolean v) { contentUpdates = v; return this; }
        public Builder deletes(boolean v) { deletes = v; return this; }
        public Builder groupedDocuments(boolean v) { groupedDocuments = v; return this; }
        public Builder exportFolder(String v) { exportFolder = requireNonNull(v, "exportFolder"); return this; }
        public Builder conflictStrategy(ConflictStrategy v) { conflictStrategy = requireNonNull(v, "conflictStrategy"); return this; }

        /** @throws IllegalArgumentException when the export folder is invalid */
        public BidirectionalConfig build() {
            return new BidirectionalConfig(direction, creates, contentUpdates, deletes, groupedDocuments,
                    exportFolder, conflictStrategy);
        }
    }
}
