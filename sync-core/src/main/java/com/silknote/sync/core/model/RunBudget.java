package com.silknote.sync.core.model;

import static java.util.Objects.requireNonNull;

import java.util.OptionalLong;

/**
 * Limits of one run. A run that has reached a limit starts no further fileset: the filesets in flight
 * finish and commit, the run saves its resume state and ends {@link SyncResult.Status#STOPPED}; the next
 * run resumes where it stopped. The limits are checked before each fileset starts, so a run may go beyond
 * them by what its filesets in flight download.
 *
 * @param maxFiles files downloaded from VSRX (each download counts once, whatever became of the file)
 * @param maxBytes bytes downloaded from VSRX
 */
public record RunBudget(OptionalLong maxFiles, OptionalLong maxBytes) {
    private static final RunBudget UNLIMITED = new RunBudget(OptionalLong.empty(), OptionalLong.empty());

    public RunBudget {
        requireNonNull(maxFiles, "maxFiles");
        requireNonNull(maxBytes, "maxBytes");
        if (maxFiles.isPresent() && maxFiles.getAsLong() < 1 || maxBytes.isPresent() && maxBytes.getAsLong() < 1) {
            throw new IllegalArgumentException("a budget must be >= 1");
        }
    }

    /** No limit. */
    public static RunBudget unlimited() {
        return UNLIMITED;
    }

    /** At most {@code files} files downloaded. @throws IllegalArgumentException when files &lt; 1 */
    public static RunBudget files(long files) {
        return new RunBudget(OptionalLong.of(files), OptionalLong.empty());
    }

    /** At most {@code bytes} bytes downloaded. @throws IllegalArgumentException when bytes &lt; 1 */
    public static RunBudget bytes(long bytes) {
        return new RunBudget(OptionalLong.empty(), OptionalLong.of(bytes));
    }

    /** This budget with a file limit. @throws IllegalArgumentException when files &lt; 1 */
    public RunBudget withMaxFiles(long files) {
        return new RunBudget(OptionalLong.of(files), maxBytes);
    }

    /** This budget with a byte limit. @throws IllegalArgumentException when bytes &lt; 1 */
    public RunBudget withMaxBytes(long bytes) {
        return new RunBudget(maxFiles, OptionalLong.of(bytes));
    }

    /** {@code true} when there is no limit. */
    public boolean isUnlimited() {
        return maxFiles.isEmpty() && maxBytes.isEmpty();
    }

    /**
     * Why a run that downloaded {@code files} files and {@code bytes} bytes may start no further fileset, or
     * {@code null} while it may.
     */
    public String exhaustedBy(long files, long bytes) {
        if (maxFiles.isPresent() && files >= maxFiles.getAsLong()) {
            return "file budget reached (" + files + " of " + maxFiles.getAsLong() + " files)";
        }
        if (maxBytes.isPresent() && bytes >= maxBytes.getAsLong()) {
            return "byte budget reached (" + bytes + " of " + maxBytes.getAsLong() + " bytes)";
        }
        return null;
    }
}
