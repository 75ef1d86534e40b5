/**
 * Abstract JUnit Jupiter contract tests, one per port ({@code <Port>Contract}). An adapter's test extends
 * the contract ({@code <Adapter>ContractTest extends <Port>Contract}) and implements its {@code protected
 * abstract} hooks:
 * <ul>
 *   <li>{@link com.silknote.sync.testkit.contract.VsrxSourceContract#newSource}</li>
 *   <li>{@link com.silknote.sync.testkit.contract.DocumentStoreContract#newStore}</li>
 *   <li>{@link com.silknote.sync.testkit.contract.BlobStoreContract#newStore} and
 *       {@link com.silknote.sync.testkit.contract.BlobStoreContract#rawBytes}</li>
 *   <li>{@link com.silknote.sync.testkit.contract.VectorStoreContract#newStore}</li>
 *   <li>{@link com.silknote.sync.testkit.contract.SyncLockContract#newLock} and
 *       {@link com.silknote.sync.testkit.contract.SyncLockContract#forceExpiry}</li>
 *   <li>{@link com.silknote.sync.testkit.contract.FilesetClaimsContract#newClaims} and
 *       {@link com.silknote.sync.testkit.contract.FilesetClaimsContract#forceExpiry}</li>
 * </ul>
 * Every contract drives time through a {@link com.silknote.sync.testkit.TestClock} field named {@code clock}
 * and never sleeps on wall time; each has a seeded concurrency test. The in-memory fakes pass all of them.
 */
package com.silknote.sync.testkit.contract;
