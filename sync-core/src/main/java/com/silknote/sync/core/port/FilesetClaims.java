package com.silknote.sync.core.port;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.RunId;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Optional capability for scale-out: N workers share one run's filesets by claiming them one at a time
 * (PostgreSQL {@code FOR UPDATE SKIP LOCKED}). A claim expires after its ttl so a crashed worker's
 * fileset is claimed again.
 */
public interface FilesetClaims {

    /** Registers the run's filesets (idempotent: offering the same fileset twice keeps one claim row). */
    void offer(RunId run, List<FilesetId> filesets);

    /** Claims the next unclaimed (or expired) fileset of the run for {@code worker}; empty when none left. */
    Optional<FilesetId> claimNext(RunId run, String worker, Duration ttl);

    /** Marks a claimed fileset finished. */
    void complete(RunId run, FilesetId fileset, String worker, boolean succeeded);
}
