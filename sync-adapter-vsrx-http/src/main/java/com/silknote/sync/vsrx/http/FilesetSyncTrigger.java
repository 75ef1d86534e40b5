package com.silknote.sync.vsrx.http;

import com.silknote.sync.core.model.FilesetId;

/**
 * What the host does when a verified webhook arrives: sync exactly one fileset, typically
 * {@code id -> executor.submit(() -> sync.run(SyncRequest.fileset(id)))}. The engine's lock keeps runs
 * apart. Keep it quick (hand the run to an executor) so the sender is answered within its timeout.
 */
@FunctionalInterface
public interface FilesetSyncTrigger {
    /**
     * Starts (or schedules) a sync of one fileset.
     *
     * @param filesetId the fileset named by the event
     * @param event     the verified event (ids only)
     * @throws RuntimeException to refuse the event; the receiver answers 503 and forgets the event id,
     *         so the sender's retry is processed
     */
    void syncFileset(FilesetId filesetId, WebhookEvent event);
}
