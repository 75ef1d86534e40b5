/**
 * Runnable examples of embedding vsrx-sync, each with a {@code main} and a test that runs it:
 * {@link com.silknote.sync.examples.ReadmeExample} (the README's code), {@link com.silknote.sync.examples.PlainJavaExample},
 * {@link com.silknote.sync.examples.ContainerConfigurationExample}, {@link com.silknote.sync.examples.VsrxHostExample}
 * and {@link com.silknote.sync.examples.WebhookReceiverExample}. Examples are not library API: no compatibility
 * promise.
 */
package com.silknote.sync.examples;
