/**
 * Ports: the interfaces through which the engine sees the outside world. Adapters implement them
 * ({@code <Tech><Port>}); the testkit has {@code InMemory<Port>} fakes and an abstract {@code <Port>Contract}
 * test for each.
 *
 * <p>Nullness: no parameter or return value is {@code null}; absence is {@link java.util.Optional}.
 * No backend type (SQL, HTTP, Azure) crosses a port: failures are translated to
 * {@link com.silknote.sync.core.exception.SyncException} subtypes with the cause kept.
 */
package com.silknote.sync.core.port;
