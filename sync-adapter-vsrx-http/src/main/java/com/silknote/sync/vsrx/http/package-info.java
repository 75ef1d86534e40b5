/**
 * VSRX over HTTP, protocol version {@code /v1} (described by {@code openapi.json} in this package's
 * resources).
 *
 * <ul>
 *   <li>Silknote side: {@link com.silknote.sync.vsrx.http.HttpVsrxSource}, a
 *       {@link com.silknote.sync.core.port.VsrxSource} on the JDK HTTP client, and
 *       {@link com.silknote.sync.vsrx.http.WebhookReceiver}, which verifies signed webhooks and triggers a
 *       sync of one fileset.</li>
 *   <li>VSRX side: {@link com.silknote.sync.vsrx.http.VsrxHttpHandler}, which serves the protocol from a
 *       host's {@code VsrxSource}; {@link com.silknote.sync.vsrx.http.VsrxHttpServer} runs it on the JDK's
 *       built-in server; {@link com.silknote.sync.vsrx.http.WebhookSender} signs and posts webhooks.</li>
 *   <li>{@link com.silknote.sync.vsrx.http.ServerRequest} / {@link com.silknote.sync.vsrx.http.ServerResponse}
 *       are the small request/response abstraction both server-side classes use, so any servlet-style
 *       host can adapt them.</li>
 * </ul>
 *
 * <p>Nullness: no parameter or return value is {@code null}; absence is {@link java.util.Optional}.
 */
package com.silknote.sync.vsrx.http;
