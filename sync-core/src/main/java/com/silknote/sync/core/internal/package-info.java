/**
 * Engine internals: run loop, fileset pipeline, spooling, retries, outbox drain, blob collector.
 * Not public API: no compatibility promise; do not use from outside {@code com.silknote.sync.core}.
 */
package com.silknote.sync.core.internal;
