package com.silknote.sync.testkit.fault;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Puts a hook around every call of a port, for tests that pause, count or break one call at a chosen moment
 * (a worker killed mid-fileset, a holder paused before its commit), and the gate such a hook waits at.
 *
 * <pre>{@code
 * BlobStore dying = Interception.around(BlobStore.class, blobs, (method, call) -> {
 *     if (method.startsWith("put")) {
 *         throw new WorkerKilled();
 *     }
 *     return call.proceed();
 * });
 * }</pre>
 */
public final class Interception {
    private Interception() { }

    /** What runs around each call: {@code method} is the port method's name, {@code call} runs it. */
    @FunctionalInterface
    public interface Hook {
        Object around(String method, Call call) throws Throwable;
    }

    /** The intercepted call itself; what it throws reaches the hook unwrapped. */
    @FunctionalInterface
    public interface Call {
        Object proceed() throws Throwable;
    }

    /** {@code target} seen through {@code port}, every call passing through {@code hook}. */
    @SuppressWarnings("unchecked")
    public static <T> T around(Class<T> port, T target, Hook hook) {
        requireNonNull(port, "port");
        requireNonNull(target, "target");
        requireNonNull(hook, "hook");
        return (T) Proxy.newProxyInstance(port.getClassLoader(), new Class<?>[] {port}, (p, m, args) ->
                hook.around(m.getName(), () -> {
                    try {
                        return m.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                }));
    }

    /**
     * Waits at a gate for at most two minutes.
     *
     * @throws IllegalStateException when the gate never opens, or the thread is interrupted while it waits
     *         (a run that stops cancels its filesets waiting there)
     */
    public static void await(CountDownLatch gate) {
        try {
            if (!gate.await(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("gate never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted at a gate", e);
        }
    }
}
